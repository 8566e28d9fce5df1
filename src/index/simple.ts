// Simple-API pages (PEP 503 HTML, PEP 691 JSON) to DistFiles, and project lists.

import { StringDecoder } from 'node:string_decoder';
import { ZephyrError } from '../ui/errors.js';
import { parseHtml, type HtmlPage } from './html.js';
import { distKind, isDistOf } from './names.js';
import type { DistFile, DroppedFile } from './types.js';
import { redact } from './url.js';

export const SIMPLE_ACCEPT = 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01';
export const HTML_ACCEPT = 'application/vnd.pypi.simple.v1+html, text/html;q=0.9, */*;q=0.1';

export function isJsonContentType(contentType: string | null): boolean {
  return contentType !== null && /^application\/vnd\.pypi\.simple\.(v1|latest)\+json/i.test(contentType.trim());
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringRecord(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(value)) return out;
  for (const [key, v] of Object.entries(value)) if (typeof v === 'string') out[key.toLowerCase()] = v.toLowerCase();
  return out;
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

function jsonMetadata(value: unknown): { hasMetadata: boolean; hashes: Record<string, string> | null } {
  if (value === true) return { hasMetadata: true, hashes: null };
  if (isRecord(value)) {
    const hashes = stringRecord(value);
    return { hasMetadata: true, hashes: Object.keys(hashes).length > 0 ? hashes : null };
  }
  return { hasMetadata: false, hashes: null };
}

/** The files of a page, split by a `keep` filter (without one, every file is kept). */
export interface ParsedPage {
  files: DistFile[];
  dropped: DroppedFile[];
}

const FRAGMENT_SHA256 = /#sha256=([0-9a-f]+)$/i;

export function parseProjectJson(text: string, pageUrl: string, index: string): DistFile[] {
  return parseProjectJsonFiltered(text, pageUrl, index, undefined).files;
}

export function parseProjectJsonFiltered(text: string, pageUrl: string, index: string, keep: ((filename: string) => boolean) | undefined): ParsedPage {
  const root = parseJson(text, pageUrl);
  const list = Array.isArray(root.files) ? root.files : [];
  const page: ParsedPage = { files: [], dropped: [] };
  for (const entry of list) addJsonFile(page, entry, pageUrl, index, keep);
  return page;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function badJson(url: string, why: string): ZephyrError {
  return new ZephyrError('ZE_INDEX_BAD_RESPONSE', `The index answered ${redact(url)} with invalid JSON: ${why}`);
}

/**
 * A PEP 691 page parsed as its bytes arrive, without ever holding the whole document:
 * a scan finds the entries of the root's "files" array, and each is read on its own
 * as soon as it is complete, so only the files kept outlive it (pages can be megabytes,
 * with thousands of files). The rest of the document (meta, name, versions) is small
 * and parsed at the end, with the files array left empty.
 */
export class JsonPageParser {
  readonly page: ParsedPage = { files: [], dropped: [] };
  private readonly decoder = new StringDecoder('utf8');
  private depth = 0;
  private inString = false;
  /** The next character of the current string is escaped. */
  private escaped = false;
  /** The current string so far when it started at depth 1 (a key of the root). */
  private rootString: string | null = null;
  private lastRootString: string | null = null;
  /** A ':' after the "files" key of the root was the last structural character. */
  private afterFilesKey = false;
  private inFiles = false;
  /** The part of an entry seen in earlier chunks, while one is open. */
  private entry: string | null = null;
  /** The document outside the files array. */
  private rest = '';

  constructor(
    private readonly pageUrl: string,
    private readonly index: string,
    private readonly keep: ((filename: string) => boolean) | undefined,
  ) {}

  push(chunk: Buffer): void {
    this.scan(this.decoder.write(chunk));
  }

  private scan(text: string): void {
    const n = text.length;
    let entryFrom = this.entry !== null ? 0 : -1;
    let restFrom = this.inFiles ? -1 : 0;
    let stringFrom = this.rootString !== null ? 0 : -1;
    let i = 0;
    while (i < n) {
      if (this.inString) {
        const quote = text.indexOf('"', i);
        const stop = quote < 0 ? n : quote;
        let slashes = 0;
        while (stop - 1 - slashes >= i && text.charCodeAt(stop - 1 - slashes) === BACKSLASH) slashes++;
        if (stop - slashes === i && this.escaped) slashes++;
        if (quote < 0) {
          this.escaped = slashes % 2 === 1;
          i = n;
          break;
        }
        this.escaped = false;
        i = quote + 1;
        if (slashes % 2 === 1) continue; // an escaped quote
        this.inString = false;
        if (this.rootString !== null) {
          this.lastRootString = this.rootString + text.slice(stringFrom, quote);
          this.rootString = null;
          stringFrom = -1;
        }
        continue;
      }
      const c = text.charCodeAt(i);
      if (c === QUOTE) {
        this.inString = true;
        if (this.depth === 1) {
          this.rootString = '';
          stringFrom = i + 1;
        }
      } else if (c === 0x3a /* : */) {
        this.afterFilesKey = this.depth === 1 && this.lastRootString === 'files';
      } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
        if (this.afterFilesKey && c === 0x5b) {
          this.inFiles = true;
          this.rest += `${text.slice(restFrom, i)}[]`;
          restFrom = -1;
        } else if (this.inFiles && this.depth === 2 && c === 0x7b) {
          this.entry = '';
          entryFrom = i;
        }
        this.afterFilesKey = false;
        this.depth++;
      } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
        this.depth--;
        this.afterFilesKey = false;
        if (this.depth < 0) throw badJson(this.pageUrl, 'unbalanced brackets');
        if (this.entry !== null && this.depth === 2) {
          this.addEntry(this.entry + text.slice(entryFrom, i + 1));
          this.entry = null;
          entryFrom = -1;
        } else if (this.inFiles && this.depth === 1) {
          this.inFiles = false;
          restFrom = i + 1;
        }
      } else if (c === 0x2c /* , */) {
        this.afterFilesKey = false;
      }
      i++;
    }
    // What is still open continues with the next chunk.
    if (this.entry !== null && entryFrom >= 0) this.entry += text.slice(entryFrom);
    if (this.rootString !== null && stringFrom >= 0) this.rootString += text.slice(stringFrom);
    if (restFrom >= 0 && restFrom < n) this.rest += text.slice(restFrom);
  }

  private addEntry(text: string): void {
    if (this.keep !== undefined) {
      // Most files of a big page are dropped: read just their name and hash, without a parse.
      const fields = droppedFields(text);
      if (fields !== null && !this.keep(fields.filename)) {
        this.page.dropped.push(fields);
        return;
      }
    }
    let entry: unknown;
    try {
      entry = JSON.parse(text);
    } catch (error) {
      throw badJson(this.pageUrl, (error as Error).message);
    }
    addJsonFile(this.page, entry, this.pageUrl, this.index, this.keep);
  }

  /** The files; the rest of the document is checked now (and its API version). */
  end(): ParsedPage {
    this.scan(this.decoder.end());
    if (this.depth !== 0 || this.inString) throw badJson(this.pageUrl, 'the document ends early');
    const root = parseJson(this.rest, this.pageUrl);
    return Array.isArray(root.files) ? this.page : { files: [], dropped: [] };
  }
}

/** The index of the closing quote of the string opened at `open`, or -1. */
function closingQuote(text: string, open: number): number {
  let at = open;
  for (;;) {
    at = text.indexOf('"', at + 1);
    if (at < 0) return -1;
    let slashes = 0;
    while (text.charCodeAt(at - 1 - slashes) === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return at;
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

const enum Key {
  Other,
  Filename,
  Url,
  Hashes,
  Sha256,
}

function keyAt(text: string, start: number, end: number): Key {
  switch (end - start) {
    case 8:
      return text.startsWith('filename', start) ? Key.Filename : Key.Other;
    case 3:
      return text.startsWith('url', start) ? Key.Url : Key.Other;
    case 6:
      return text.startsWith('hashes', start) ? Key.Hashes : text.startsWith('sha256', start) ? Key.Sha256 : Key.Other;
    default:
      return Key.Other;
  }
}

/**
 * `filename` and `hashes.sha256` of one file entry (a complete JSON object), read
 * straight from its text; null when anything is unusual (escapes in keys or in the
 * name, no URL, no SHA-256), and the full parse decides.
 */
function droppedFields(text: string): { filename: string; sha256: string } | null {
  let depth = 0;
  let key = Key.Other;
  let innerKey = Key.Other;
  let inHashes = false;
  let filename: string | null = null;
  let sha256: string | null = null;
  let url = false;
  const n = text.length;
  let slash = text.indexOf('\\');
  if (slash < 0) slash = n;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const close = slash < n ? closingQuote(text, i) : text.indexOf('"', i + 1);
      if (close < 0) return null;
      if (slash <= i) {
        slash = text.indexOf('\\', i + 1);
        if (slash < 0) slash = n;
      }
      const plain = slash > close;
      let next = close + 1;
      while (isSpace(text.charCodeAt(next))) next++;
      if (text.charCodeAt(next) === 0x3a /* : */) {
        if (!plain) return null;
        if (depth === 1) key = keyAt(text, i + 1, close);
        else if (depth === 2) innerKey = keyAt(text, i + 1, close);
      } else if (depth === 1) {
        if (key === Key.Filename) {
          if (!plain) return null;
          filename = text.slice(i + 1, close);
        } else if (key === Key.Url) {
          url = true;
        }
      } else if (depth === 2 && inHashes && innerKey === Key.Sha256) {
        sha256 = plain ? text.slice(i + 1, close).toLowerCase() : null;
      }
      i = close;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      depth++;
      if (depth === 2) {
        inHashes = c === 0x7b && key === Key.Hashes;
        innerKey = Key.Other;
      }
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    } else if (c === 0x2c /* , */ || c === 0x3a /* : */ || isSpace(c)) {
      // separators
    } else if (depth === 1) {
      // A value that is not a string (null, a number…): the full parse judges the entry.
      if (key === Key.Filename) filename = null;
      else if (key === Key.Url) url = false;
    } else if (depth === 2 && inHashes && innerKey === Key.Sha256) {
      sha256 = null;
    }
  }
  // Copies: slices would keep the whole text they were cut from (the page, chunk by chunk) alive.
  return filename !== null && sha256 !== null && url ? { filename: fresh(filename), sha256: fresh(sha256) } : null;
}

/** A string that shares no memory with the one it was sliced from. */
function fresh(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

/** Parses a page as its bytes arrive: JSON as it streams, HTML once it is whole. */
export interface PageParser {
  push(chunk: Buffer): void;
  end(): ParsedPage;
}

export function pageParser(contentType: string | null, pageUrl: string, index: string, keep: ((filename: string) => boolean) | undefined): PageParser {
  if (isJsonContentType(contentType)) return new JsonPageParser(pageUrl, index, keep);
  const parts: Buffer[] = [];
  return {
    push: (chunk) => parts.push(chunk),
    end: () => splitFiles(parseProjectHtml(Buffer.concat(parts).toString('utf8'), pageUrl, index, null), keep),
  };
}

function addJsonFile(page: ParsedPage, entry: unknown, pageUrl: string, index: string, keep: ((filename: string) => boolean) | undefined): void {
  const { files, dropped } = page;
  if (!isRecord(entry) || typeof entry.url !== 'string' || typeof entry.filename !== 'string') return;
  if (keep !== undefined && !keep(entry.filename)) {
    // Only what the hash list needs: no URL resolution, no DistFile.
    const listed = isRecord(entry.hashes) ? entry.hashes.sha256 : undefined;
    const sha256 = typeof listed === 'string' ? listed.toLowerCase() : (FRAGMENT_SHA256.exec(entry.url)?.[1]?.toLowerCase() ?? null);
    dropped.push({ filename: entry.filename, sha256 });
    return;
  }
  const resolved = resolveHref(entry.url, pageUrl);
  if (resolved === null) return;
  const hashes = { ...resolved.hashes, ...stringRecord(entry.hashes) };
  const metadata = jsonMetadata(entry['core-metadata'] ?? entry['dist-info-metadata']);
  const yanked = entry.yanked;
  const uploadTime = typeof entry['upload-time'] === 'string' ? Date.parse(entry['upload-time']) : NaN;
  const requiresPython = entry['requires-python'];
  files.push({
    filename: entry.filename,
    url: resolved.url,
    hashes,
    requiresPython: typeof requiresPython === 'string' && requiresPython.trim() !== '' ? requiresPython : null,
    yanked: yanked === true || typeof yanked === 'string',
    yankedReason: typeof yanked === 'string' && yanked !== '' ? yanked : null,
    uploadTime: Number.isNaN(uploadTime) ? null : uploadTime,
    size: typeof entry.size === 'number' && Number.isFinite(entry.size) ? entry.size : null,
    hasMetadata: metadata.hasMetadata,
    metadataHashes: metadata.hashes,
    index,
  });
}

/** Splits parsed files by `keep`. */
export function splitFiles(all: DistFile[], keep: ((filename: string) => boolean) | undefined): ParsedPage {
  if (keep === undefined) return { files: all, dropped: [] };
  const files: DistFile[] = [];
  const dropped: DroppedFile[] = [];
  for (const f of all) {
    if (keep(f.filename)) files.push(f);
    else dropped.push({ filename: f.filename, sha256: f.hashes.sha256 ?? null });
  }
  return { files, dropped };
}

/** A project page in whichever format the server chose. */
export function parseProjectPage(body: string, contentType: string | null, pageUrl: string, index: string): DistFile[] {
  return isJsonContentType(contentType) ? parseProjectJson(body, pageUrl, index) : parseProjectHtml(body, pageUrl, index, null);
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
