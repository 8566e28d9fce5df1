// Simple-API pages (PEP 503 HTML, PEP 691 JSON) to DistFiles, and project lists.
// JSON pages are read by the native core (zephyr-core simple_page.rs); HTML pages here.

import { callNative, nativeError, type PageReaderHandle } from '../native.js';
import { ZephyrError } from '../ui/errors.js';
import type { FileFilter } from './file-filter.js';
import { parseHtml, type HtmlPage } from './html.js';
import { distKind, isDistOf, versionOf } from './names.js';
import type { DistFile } from './types.js';
import { redact } from './url.js';

export const SIMPLE_ACCEPT = 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01';
export const HTML_ACCEPT = 'application/vnd.pypi.simple.v1+html, text/html;q=0.9, */*;q=0.1';

export function isJsonContentType(contentType: string | null): boolean {
  return contentType !== null && /^application\/vnd\.pypi\.simple\.(v1|latest)\+json/i.test(contentType.trim());
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `sha256=abc` (one or more, space separated) → { sha256: 'abc' }. */
function parseHashAttribute(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of value.trim().split(/\s+/)) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).toLowerCase()] = part.slice(eq + 1).toLowerCase();
  }
  return out;
}

function checkApiVersion(version: string | undefined, url: string): void {
  if (version === undefined) return;
  const major = version.split('.')[0];
  if (major !== undefined && major !== '1') {
    throw new ZephyrError(
      'ZE_INDEX_API_VERSION',
      `The index at ${redact(url)} speaks simple API version ${version}; zephyr understands version 1.`,
      'Upgrade zephyr, or use an index that serves version 1 of the simple API.',
    );
  }
}

/** An absolute URL without fragment, plus the hashes of a `#algo=digest` fragment. */
function resolveHref(href: string, base: string): { url: string; hashes: Record<string, string> } | null {
  let url: URL;
  try {
    url = new URL(href, base);
  } catch {
    return null;
  }
  const hashes: Record<string, string> = {};
  const fragment = /^#([a-z0-9]+)=([0-9a-f]+)$/i.exec(url.hash);
  if (fragment?.[1] && fragment[2]) hashes[fragment[1].toLowerCase()] = fragment[2].toLowerCase();
  url.hash = '';
  url.username = '';
  url.password = '';
  return { url: url.href, hashes };
}

function filenameOf(url: string, fallback: string): string {
  try {
    const last = new URL(url).pathname.split('/').pop() ?? '';
    const decoded = decodeURIComponent(last);
    return decoded !== '' ? decoded : fallback;
  } catch {
    return fallback;
  }
}

function metadataFromAttribute(value: string | undefined): { hasMetadata: boolean; hashes: Record<string, string> | null } {
  if (value === undefined || value.toLowerCase() === 'false') return { hasMetadata: false, hashes: null };
  const hashes = parseHashAttribute(value);
  return { hasMetadata: true, hashes: Object.keys(hashes).length > 0 ? hashes : null };
}

/** DistFiles of every distribution anchor of a parsed page; `project` (normalized) filters them when given. */
export function filesFromHtml(page: HtmlPage, pageUrl: string, index: string, project: string | null): DistFile[] {
  const base = page.base !== null ? new URL(page.base, pageUrl).href : pageUrl;
  const files: DistFile[] = [];
  for (const anchor of page.anchors) {
    const resolved = resolveHref(anchor.href, base);
    if (resolved === null) continue;
    const filename = filenameOf(resolved.url, anchor.text);
    if (distKind(filename) === null) continue;
    if (project !== null && !isDistOf(filename, project)) continue;
    const a = anchor.attributes;
    const metadata = metadataFromAttribute(a.get('data-core-metadata') ?? a.get('data-dist-info-metadata'));
    const yankedAttr = a.get('data-yanked');
    const requiresPython = a.get('data-requires-python');
    files.push({
      filename,
      url: resolved.url,
      hashes: resolved.hashes,
      requiresPython: requiresPython !== undefined && requiresPython.trim() !== '' ? requiresPython : null,
      yanked: yankedAttr !== undefined,
      yankedReason: yankedAttr !== undefined && yankedAttr !== '' ? yankedAttr : null,
      uploadTime: null,
      size: null,
      hasMetadata: metadata.hasMetadata,
      metadataHashes: metadata.hashes,
      index,
    });
  }
  return files;
}

export function parseProjectHtml(html: string, pageUrl: string, index: string, project: string | null): DistFile[] {
  const page = parseHtml(html);
  checkApiVersion(page.meta.get('pypi:repository-version'), pageUrl);
  return filesFromHtml(page, pageUrl, index, project);
}

function parseJson(text: string, url: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ZephyrError('ZE_INDEX_BAD_RESPONSE', `The index answered ${redact(url)} with invalid JSON: ${(error as Error).message}`);
  }
  if (!isRecord(value)) throw new ZephyrError('ZE_INDEX_BAD_RESPONSE', `The index answered ${redact(url)} with JSON that is not an object.`);
  const meta = value.meta;
  if (isRecord(meta) && typeof meta['api-version'] === 'string') checkApiVersion(meta['api-version'], url);
  return value;
}

/** The files of a page that a filter kept, and the SHA-256 digests of every version on it. */
export interface ParsedPage {
  files: DistFile[];
  /** Version → its files' SHA-256 digests, 64 hex characters each, concatenated (see `digestsOf`). */
  versionHashes: Map<string, string>;
  /**
   * Read by a filter `forSolver`: the number under which the native reader keeps the files and
   * the versions' digests for the solver. `files` and `versionHashes` are then empty: ask the
   * reader for the few needed (`keptParts`).
   */
  solverPage?: number;
  /** With `solverPage`: how many files and versions the reader keeps. */
  kept?: { files: number; versions: number };
}

/** What the native reader gives back of a kept page (PageReaderHandle.files). */
export interface KeptParts {
  files: DistFile[];
  /** As ParsedPage.versionHashes. */
  versions: Record<string, string>;
}

/** Asks the native reader for parts of the pages it keeps, in one call. */
export function keptParts(reader: PageReaderHandle, requests: { page: number | undefined; urls?: string[]; versions?: string[]; all?: boolean }[]): KeptParts[] {
  if (requests.length === 0) return [];
  try {
    return JSON.parse(reader.files(JSON.stringify(requests))) as KeptParts[];
  } catch (err) {
    throw nativeError(err);
  }
}

/** What the native core makes of a JSON page (zephyr-core `simple_page::PageDigest`). */
interface PageDigest {
  files: DistFile[];
  versions: Record<string, string>;
  apiVersion: string | null;
  page?: number;
  kept?: { files: number; versions: number };
}

/** The SHA-256 digests in a `versionHashes` value. */
export function digestsOf(packed: string | undefined): string[] {
  const out: string[] = [];
  if (packed === undefined) return out;
  for (let at = 0; at + 64 <= packed.length; at += 64) out.push(packed.slice(at, at + 64));
  return out;
}

function parsedOf(json: string, pageUrl: string): ParsedPage {
  const digest = JSON.parse(json) as PageDigest;
  checkApiVersion(digest.apiVersion ?? undefined, pageUrl);
  const page: ParsedPage = { files: digest.files, versionHashes: new Map(Object.entries(digest.versions)) };
  if (digest.page !== undefined) page.solverPage = digest.page;
  if (digest.kept !== undefined) page.kept = digest.kept;
  return page;
}

/** Reads a page as its bytes arrive: JSON natively, HTML here. */
export interface PageParser {
  push(chunk: Buffer): void;
  end(): Promise<ParsedPage>;
}

/**
 * Bytes gathered before they go to the native reader: a trip to the thread pool per few
 * hundred kilobytes rather than per network chunk. More arrive while a part is being read.
 */
const PART_BYTES = 256 * 1024;

/**
 * A JSON page read natively as it arrives, one part at a time (parts gather while the one
 * before is read): the files of a page of megabytes are read, and its bytes let go, long
 * before its end arrives.
 */
function jsonPageParser(pageUrl: string, index: string, project: string, filter: FileFilter): PageParser {
  const stream = filter.pageReader().then((reader) => callNative(() => reader.stream(pageUrl, redact(pageUrl), index, project)));
  stream.catch(() => undefined); // awaited by end(); a body that fails first must not leave it unhandled
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let reading: Promise<void> | null = null;
  let failure: { error: unknown } | null = null;
  const send = (): void => {
    if (reading !== null || failure !== null || pendingBytes < PART_BYTES) return;
    const parts = pending;
    pending = [];
    pendingBytes = 0;
    reading = stream
      .then((s) => callNative(() => s.push(parts)))
      .then(
        () => {
          reading = null;
          send();
        },
        (error: unknown) => {
          failure = { error };
          reading = null;
        },
      );
  };
  return {
    push: (chunk) => {
      if (failure !== null) return;
      pending.push(chunk);
      pendingBytes += chunk.length;
      send();
    },
    end: async () => {
      while (reading !== null) await reading;
      if (failure !== null) throw failure.error;
      const s = await stream;
      const last = pending;
      pending = [];
      return parsedOf(await callNative(() => s.finish(last)), pageUrl);
    },
  };
}

export function pageParser(contentType: string | null, pageUrl: string, index: string, project: string, filter: FileFilter): PageParser {
  if (isJsonContentType(contentType)) return jsonPageParser(pageUrl, index, project, filter);
  const parts: Buffer[] = [];
  return {
    push: (chunk) => parts.push(chunk),
    end: async () => splitFiles(parseProjectHtml(Buffer.concat(parts).toString('utf8'), pageUrl, index, null), filter, project),
  };
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** The files `filter` keeps, and the digests of every version (HTML pages, find-links). */
export function splitFiles(all: DistFile[], filter: FileFilter, project: string): ParsedPage {
  const versionHashes = new Map<string, string>();
  const files: DistFile[] = [];
  for (const f of all) {
    const version = versionOf(f.filename, project);
    if (version !== null) {
      const sha = f.hashes.sha256;
      versionHashes.set(version, (versionHashes.get(version) ?? '') + (sha !== undefined && SHA256_HEX.test(sha) ? sha : ''));
    }
    if (filter.keeps(f.filename)) files.push(f);
  }
  return { files, versionHashes };
}

/** Project names (as the index spells them) of an index root page. */
export function parseProjectList(body: string, contentType: string | null, pageUrl: string): string[] {
  if (isJsonContentType(contentType)) {
    const root = parseJson(body, pageUrl);
    const projects = Array.isArray(root.projects) ? root.projects : [];
    return projects.flatMap((p) => (isRecord(p) && typeof p.name === 'string' ? [p.name] : []));
  }
  const page = parseHtml(body);
  checkApiVersion(page.meta.get('pypi:repository-version'), pageUrl);
  return page.anchors.map((a) => a.text).filter((t) => t !== '');
}
