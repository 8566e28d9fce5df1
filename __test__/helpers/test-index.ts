// A package index on 127.0.0.1 for hermetic tests, serving real distributions
// built by dist-builder.ts. It speaks what clients meet in the wild:
//   - PEP 503 HTML and PEP 691 JSON simple pages (content negotiation on Accept),
//     with PEP 700 fields (api-version 1.1: `versions`, `size`, `upload-time`),
//     PEP 592 yanking and PEP 658/714 metadata files;
//   - HTTP semantics that caches and lazy wheel readers rely on: ETag,
//     Last-Modified, 304, HEAD, single byte ranges (206/416);
//   - 301 from non-normalized project names to the normalized URL.
// And it misbehaves on demand (see `Faults`), per path or everywhere.

import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { buildAll, normalizeName, type BuiltDistribution, type PackageSpec } from './dist-builder.js';

export type { BuiltDistribution, PackageSpec } from './dist-builder.js';

// ---------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------

/** A fault that may be limited to the first N times it applies. */
export type Limited = boolean | { times: number };

export interface Faults {
  /** Wait this long before answering. */
  latencyMs?: number;
  /** Send the headers and half the body, then destroy the socket (GET with a body of 2+ bytes). */
  dropConnectionMidBody?: Limited;
  /** Answer 503 (or `status`) to the first `times` matching requests (a number is `times`; no `times`: always). */
  status5xx?: number | { times?: number; status?: number };
  /** Serve a file under /files/ with one byte changed, so its hash no longer matches (full 200 GETs only). */
  wrongBytes?: Limited;
  /** Require these credentials (401 with WWW-Authenticate otherwise). */
  basicAuth?: { username: string; password: string };
  /** No PEP 658 metadata: pages do not announce it and `.metadata` URLs are 404. */
  noMetadataFiles?: boolean;
  /** Ignore Range headers (always 200 with the whole file) and do not advertise byte ranges. */
  noRange?: boolean;
}

/** Faults for the request paths (path and query) that `path` matches; everywhere without it. */
export interface FaultRule extends Faults {
  path?: RegExp | string;
}

export interface RequestLogEntry {
  method: string;
  /** The request target as sent: path and query, percent-encoded. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The status sent (0 until one is). */
  status: number;
  /** The faults applied to this request, by name (`latencyMs`, `status5xx`, ...). */
  faults: string[];
}

export interface TestIndexOptions {
  packages?: PackageSpec[];
  faults?: Faults | FaultRule[];
  /** Where the distributions are built. Default: a temporary folder that `close()` removes. */
  dir?: string;
  /** Absolute file URLs in pages (default: relative, `../../files/<name>`, as PEP 503 allows). */
  absoluteUrls?: boolean;
  /** Cache-Control of simple pages (default `max-age=0, must-revalidate`: clients revalidate with ETags). */
  pageCacheControl?: string;
}

export interface TestIndex {
  /** The index URL to give a client: `http://127.0.0.1:<port>/simple` (no trailing slash). */
  url: string;
  /** `http://127.0.0.1:<port>`. */
  baseUrl: string;
  port: number;
  /** The folder holding the distributions. */
  dir: string;
  /** Every request so far, oldest first (the array is live: `requests.length = 0` clears it). */
  requests: RequestLogEntry[];
  /** Every distribution served, in the order they were added. */
  readonly files: BuiltDistribution[];
  /** Replace the faults (counters of limited faults start again). */
  setFaults(faults: Faults | FaultRule[]): void;
  /** Build and serve more releases (a release already served is replaced). */
  addPackages(specs: PackageSpec[]): BuiltDistribution[];
  /** The absolute URL of a served file. */
  fileUrl(filename: string): string;
  /** The index URL with credentials in it: `http://user:pass@127.0.0.1:<port>/simple`. */
  urlWithAuth(username: string, password: string): string;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------
// Constants of the protocols
// ---------------------------------------------------------------------------

export const JSON_V1 = 'application/vnd.pypi.simple.v1+json';
export const HTML_V1 = 'application/vnd.pypi.simple.v1+html';
export const TEXT_HTML = 'text/html';
const API_VERSION = '1.1';
const FILE_CACHE_CONTROL = 'max-age=365000000, immutable, public';
const DEFAULT_PAGE_CACHE_CONTROL = 'max-age=0, must-revalidate';

// ---------------------------------------------------------------------------
// Rendering simple pages (shared with the file:// index below)
// ---------------------------------------------------------------------------

export interface PageOptions {
  /** The URL of a file as it appears in pages. */
  fileHref(filename: string): string;
  /** Announce PEP 658 metadata files (wheels only, as the real index does). */
  metadataFiles: boolean;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** PEP 700 `upload-time`: ISO 8601 with microseconds and Z. */
function formatUploadTime(time: string): string {
  const date = new Date(time);
  if (Number.isNaN(date.getTime())) throw new Error(`invalid uploadTime: ${time}`);
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function announcesMetadata(file: BuiltDistribution, options: PageOptions): boolean {
  return options.metadataFiles && file.kind === 'wheel';
}

function htmlDocument(title: string, body: string[]): string {
  return [
    '<!DOCTYPE html>',
    '<html>',
    '  <head>',
    `    <meta name="pypi:repository-version" content="${API_VERSION}">`,
    `    <title>${escapeHtml(title)}</title>`,
    '  </head>',
    '  <body>',
    `    <h1>${escapeHtml(title)}</h1>`,
    ...body.map((line) => `    ${line}`),
    '  </body>',
    '</html>',
    '',
  ].join('\n');
}

export function renderProjectListHtml(projects: { name: string; project: string }[]): string {
  return htmlDocument(
    'Simple index',
    projects.map((p) => `<a href="${escapeHtml(p.project)}/">${escapeHtml(p.name)}</a><br />`),
  );
}

export function renderProjectListJson(projects: { name: string; project: string }[]): string {
  return JSON.stringify({ meta: { 'api-version': API_VERSION }, projects: projects.map((p) => ({ name: p.name })) });
}

/** One `<a>` of a PEP 503 page, with the data attributes of PEP 503, 592, 658 and 714. */
function renderAnchor(file: BuiltDistribution, options: PageOptions): string {
  const attributes = [`href="${escapeHtml(`${options.fileHref(file.filename)}#sha256=${file.sha256}`)}"`];
  if (file.requiresPython !== undefined) attributes.push(`data-requires-python="${escapeHtml(file.requiresPython)}"`);
  if (announcesMetadata(file, options)) {
    attributes.push(`data-dist-info-metadata="sha256=${file.metadataSha256}"`);
    attributes.push(`data-core-metadata="sha256=${file.metadataSha256}"`);
  }
  if (file.yanked !== undefined) attributes.push(`data-yanked="${escapeHtml(typeof file.yanked === 'string' ? file.yanked : '')}"`);
  return `<a ${attributes.join(' ')}>${escapeHtml(file.filename)}</a><br />`;
}

export function renderProjectHtml(project: string, files: BuiltDistribution[], options: PageOptions): string {
  return htmlDocument(`Links for ${project}`, files.map((f) => renderAnchor(f, options)));
}

export function renderProjectJson(project: string, files: BuiltDistribution[], options: PageOptions): string {
  const versions = [...new Set(files.map((f) => f.version))];
  return JSON.stringify({
    meta: { 'api-version': API_VERSION },
    name: project,
    versions,
    files: files.map((file) => {
      const metadata = announcesMetadata(file, options) ? { sha256: file.metadataSha256 } : undefined;
      return {
        filename: file.filename,
        url: options.fileHref(file.filename),
        hashes: { sha256: file.sha256 },
        ...(file.requiresPython !== undefined ? { 'requires-python': file.requiresPython } : {}),
        ...(metadata ? { 'core-metadata': metadata, 'dist-info-metadata': metadata } : {}),
        // PEP 592: a reason string, true without one, false when not yanked.
        yanked: file.yanked === undefined ? false : file.yanked === '' ? true : file.yanked,
        size: file.size,
        ...(file.uploadTime !== undefined ? { 'upload-time': formatUploadTime(file.uploadTime) } : {}),
      };
    }),
  });
}

// ---------------------------------------------------------------------------
// Content negotiation (PEP 691)
// ---------------------------------------------------------------------------

interface AcceptEntry {
  type: string;
  q: number;
}

function parseAccept(header: string | undefined): AcceptEntry[] {
  if (header === undefined || header.trim() === '') return [{ type: '*/*', q: 1 }];
  return header.split(',').flatMap((part) => {
    const [type = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (type === '') return [];
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    return [{ type, q: Number.isFinite(q) ? q : 0 }];
  });
}

/** Types the index serves, in its order of preference on a tie (HTML first, like the real index). */
const SERVED_TYPES = [TEXT_HTML, HTML_V1, JSON_V1] as const;
type ServedType = (typeof SERVED_TYPES)[number];
const ALIASES: Record<string, ServedType> = {
  'application/vnd.pypi.simple.latest+json': JSON_V1,
  'application/vnd.pypi.simple.latest+html': HTML_V1,
};

/** How well an Accept entry matches a served type: 3 exact, 2 `type/*`, 1 `*\/*`, 0 not at all. */
function specificity(entry: string, served: ServedType): number {
  const type = ALIASES[entry] ?? entry;
  if (type === served) return 3;
  if (type === '*/*') return 1;
  if (type.endsWith('/*') && served.startsWith(type.slice(0, -1))) return 2;
  return 0;
}

/** The served type with the highest q (from its most specific match), or undefined for 406. */
export function negotiate(acceptHeader: string | undefined): ServedType | undefined {
  const entries = parseAccept(acceptHeader);
  let best: { type: ServedType; q: number; specificity: number } | undefined;
  for (const served of SERVED_TYPES) {
    let match: { q: number; specificity: number } | undefined;
    for (const entry of entries) {
      const s = specificity(entry.type, served);
      if (s > 0 && (match === undefined || s > match.specificity)) match = { q: entry.q, specificity: s };
    }
    if (match === undefined || match.q <= 0) continue;
    if (best === undefined || match.q > best.q || (match.q === best.q && match.specificity > best.specificity)) {
      best = { type: served, ...match };
    }
  }
  return best?.type;
}

// ---------------------------------------------------------------------------
// HTTP helpers: conditional requests and ranges
// ---------------------------------------------------------------------------

function strongEtag(data: Uint8Array | string): string {
  return `"${createHash('sha256').update(data).digest('hex').slice(0, 32)}"`;
}

function etagMatches(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  const bare = (tag: string): string => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => bare(tag) === bare(etag));
}

function notModified(req: IncomingMessage, etag: string, lastModified: Date): boolean {
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch !== undefined) return etagMatches(ifNoneMatch, etag);
  const ifModifiedSince = req.headers['if-modified-since'];
  if (ifModifiedSince === undefined) return false;
  const since = Date.parse(ifModifiedSince);
  return !Number.isNaN(since) && Math.floor(lastModified.getTime() / 1000) <= Math.floor(since / 1000);
}

type RangeRequest = { kind: 'none' } | { kind: 'unsatisfiable' } | { kind: 'range'; start: number; end: number };

/** One `bytes=` range (`a-b`, `a-`, `-n`); several ranges or a bad header are ignored (RFC 9110 allows it). */
export function parseRange(header: string | undefined, size: number): RangeRequest {
  const match = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return { kind: 'none' };
  const [first, last] = [match[1] ?? '', match[2] ?? ''];
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'range', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size) return { kind: 'unsatisfiable' };
  if (end < start) return { kind: 'none' };
  return { kind: 'range', start, end };
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** If-Range: the range applies only while the representation is unchanged. */
function ifRangeHolds(req: IncomingMessage, etag: string, lastModified: Date): boolean {
  const ifRange = headerValue(req, 'if-range')?.trim();
  if (ifRange === undefined) return true;
  if (ifRange.startsWith('"') || ifRange.startsWith('W/')) return ifRange === etag;
  const date = Date.parse(ifRange);
  return !Number.isNaN(date) && Math.floor(lastModified.getTime() / 1000) <= Math.floor(date / 1000);
}

// ---------------------------------------------------------------------------
// Faults: which apply to a request, and counting the limited ones
// ---------------------------------------------------------------------------

class FaultState {
  private used = { drop: 0, status: 0, wrong: 0 };
  constructor(private readonly rule: FaultRule) {}

  matches(path: string): boolean {
    const pattern = this.rule.path;
    if (pattern === undefined) return true;
    return (typeof pattern === 'string' ? new RegExp(pattern) : pattern).test(path);
  }

  get latencyMs(): number {
    return this.rule.latencyMs ?? 0;
  }
  get basicAuth(): Faults['basicAuth'] {
    return this.rule.basicAuth;
  }
  get noMetadataFiles(): boolean {
    return this.rule.noMetadataFiles === true;
  }
  get noRange(): boolean {
    return this.rule.noRange === true;
  }

  /** The status to fail with, consuming one of the allowed times. */
  takeStatus(): number | undefined {
    const fault = this.rule.status5xx;
    if (fault === undefined || fault === 0) return undefined;
    const { times, status } = typeof fault === 'number' ? { times: fault, status: 503 } : fault;
    if (times !== undefined && this.used.status >= times) return undefined;
    this.used.status++;
    return status ?? 503;
  }

  takeDrop(): boolean {
    return this.take('drop', this.rule.dropConnectionMidBody);
  }

  takeWrongBytes(): boolean {
    return this.take('wrong', this.rule.wrongBytes);
  }

  private take(counter: 'drop' | 'wrong', fault: Limited | undefined): boolean {
    if (fault === undefined || fault === false) return false;
    if (fault !== true && this.used[counter] >= fault.times) return false;
    this.used[counter]++;
    return true;
  }
}

function toRules(faults: Faults | FaultRule[]): FaultState[] {
  return (Array.isArray(faults) ? faults : [faults]).map((rule) => new FaultState(rule));
}

function authorized(req: IncomingMessage, credentials: { username: string; password: string }): boolean {
  const header = req.headers.authorization ?? '';
  const match = /^Basic\s+(\S+)$/i.exec(header);
  if (!match?.[1]) return false;
  return Buffer.from(match[1], 'base64').toString('utf8') === `${credentials.username}:${credentials.password}`;
}

/** One byte changed in the middle: same size, wrong hash. */
function corrupt(body: Buffer): Buffer {
  const copy = Buffer.from(body);
  const middle = Math.floor(copy.length / 2);
  copy[middle] = (copy[middle] ?? 0) ^ 0xff;
  return copy;
}

// ---------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------

interface Entity {
  body: Buffer;
  contentType: string;
  etag: string;
  lastModified: Date;
  cacheControl: string;
  /** Files: ranges allowed, and the wrongBytes fault applies. */
  isFile: boolean;
}

interface ServedFile {
  dist: BuiltDistribution;
  addedAt: Date;
}

/** HTTP dates have second precision; keep times whole seconds so 304 logic agrees with headers. */
function nowSeconds(): Date {
  return new Date(Math.floor(Date.now() / 1000) * 1000);
}

export async function startTestIndex(options: TestIndexOptions = {}): Promise<TestIndex> {
  const ownsDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'zephyr-test-index-'));
  mkdirSync(dir, { recursive: true });
  const pageCacheControl = options.pageCacheControl ?? DEFAULT_PAGE_CACHE_CONTROL;
  const files = new Map<string, ServedFile>(); // by filename
  const changedAt = new Map<string, Date>(); // by project
  let listChangedAt = nowSeconds();
  let rules = toRules(options.faults ?? []);
  const requests: RequestLogEntry[] = [];
  const shutdown = new AbortController();
  let baseUrl = '';

  const fileHref = (filename: string): string =>
    options.absoluteUrls ? `${baseUrl}/files/${encodeURIComponent(filename)}` : `../../files/${encodeURIComponent(filename)}`;

  function addPackages(specs: PackageSpec[]): BuiltDistribution[] {
    const built = buildAll(specs, dir);
    const now = nowSeconds();
    for (const dist of built) {
      files.set(dist.filename, { dist, addedAt: now });
      changedAt.set(dist.project, now);
    }
    listChangedAt = now;
    return built;
  }

  function projects(): { name: string; project: string }[] {
    const byProject = new Map<string, string>();
    for (const { dist } of files.values()) if (!byProject.has(dist.project)) byProject.set(dist.project, dist.name);
    return [...byProject].map(([project, name]) => ({ project, name })).sort((a, b) => a.project.localeCompare(b.project));
  }

  function projectFiles(project: string): BuiltDistribution[] {
    return [...files.values()].map((f) => f.dist).filter((d) => d.project === project);
  }

  /** A simple page in the negotiated format, or the status to answer with. */
  function page(req: IncomingMessage, render: (type: ServedType) => string, lastModified: Date): Entity | number {
    const type = negotiate(req.headers.accept);
    if (type === undefined) return 406;
    const body = Buffer.from(render(type));
    const contentType = type === JSON_V1 ? type : `${type}; charset=utf-8`;
    return { body, contentType, etag: strongEtag(body), lastModified, cacheControl: pageCacheControl, isFile: false };
  }

  function fileEntity(served: ServedFile, asMetadata: boolean): Entity {
    const body = asMetadata ? Buffer.from(served.dist.metadata) : readFileSync(served.dist.path);
    return {
      body,
      contentType: asMetadata ? 'application/octet-stream' : served.dist.kind === 'wheel' ? 'application/zip' : 'application/gzip',
      etag: `"${(asMetadata ? served.dist.metadataSha256 : served.dist.sha256).slice(0, 32)}"`,
      lastModified: served.addedAt,
      cacheControl: FILE_CACHE_CONTROL,
      isFile: true,
    };
  }

  type Route = { entity: Entity } | { status: number; location?: string };

  function route(req: IncomingMessage, pathname: string, active: FaultState[]): Route {
    const noMetadata = active.some((r) => r.noMetadataFiles);
    const pageOptions: PageOptions = { fileHref, metadataFiles: !noMetadata };
    const asRoute = (result: Entity | number): Route => (typeof result === 'number' ? { status: result } : { entity: result });

    if (pathname === '/simple') return { status: 301, location: '/simple/' };
    if (pathname === '/simple/') {
      return asRoute(page(req, (type) => (type === JSON_V1 ? renderProjectListJson(projects()) : renderProjectListHtml(projects())), listChangedAt));
    }
    const simple = /^\/simple\/([^/]+)(\/?)$/.exec(pathname);
    if (simple) {
      const requested = decodeURIComponent(simple[1] ?? '');
      const project = normalizeName(requested);
      const projectChangedAt = changedAt.get(project);
      if (projectChangedAt === undefined) return { status: 404 };
      if (requested !== project || simple[2] !== '/') return { status: 301, location: `/simple/${project}/` };
      const list = projectFiles(project);
      const render = (type: ServedType): string =>
        type === JSON_V1 ? renderProjectJson(project, list, pageOptions) : renderProjectHtml(project, list, pageOptions);
      return asRoute(page(req, render, projectChangedAt));
    }
    const file = /^\/files\/([^/]+)$/.exec(pathname);
    if (file) {
      const filename = decodeURIComponent(file[1] ?? '');
      const direct = files.get(filename);
      if (direct) return { entity: fileEntity(direct, false) };
      const wheel = filename.endsWith('.metadata') ? files.get(filename.slice(0, -'.metadata'.length)) : undefined;
      if (wheel && wheel.dist.kind === 'wheel' && !noMetadata) return { entity: fileEntity(wheel, true) };
    }
    return { status: 404 };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const entry: RequestLogEntry = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, status: 0, faults: [] };
    requests.push(entry);
    const send = (status: number, headers: Record<string, string | number>, body?: Buffer): void => {
      entry.status = status;
      res.writeHead(status, headers);
      res.end(body);
    };
    const sendStatus = (status: number, headers: Record<string, string | number> = {}): void => {
      const body = Buffer.from(`${status}\n`);
      send(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': body.length, ...headers }, req.method === 'HEAD' ? undefined : body);
    };

    const active = rules.filter((r) => r.matches(entry.path));
    const latency = Math.max(0, ...active.map((r) => r.latencyMs));
    if (latency > 0) {
      entry.faults.push('latencyMs');
      await sleep(latency, undefined, { signal: shutdown.signal });
    }
    const auth = active.find((r) => r.basicAuth !== undefined)?.basicAuth;
    if (auth && !authorized(req, auth)) {
      entry.faults.push('basicAuth');
      return sendStatus(401, { 'WWW-Authenticate': 'Basic realm="zephyr-test-index"' });
    }
    for (const rule of active) {
      const status = rule.takeStatus();
      if (status !== undefined) {
        entry.faults.push('status5xx');
        return sendStatus(status);
      }
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendStatus(405, { Allow: 'GET, HEAD' });

    let pathname: string;
    try {
      pathname = new URL(entry.path, 'http://index.invalid').pathname;
      decodeURIComponent(pathname);
    } catch {
      return sendStatus(400);
    }
    const routed = route(req, pathname, active);
    if ('status' in routed) return sendStatus(routed.status, routed.location ? { Location: routed.location } : {});
    sendEntity(req, res, entry, routed.entity, active);
  }

  function sendEntity(req: IncomingMessage, res: ServerResponse, entry: RequestLogEntry, entity: Entity, active: FaultState[]): void {
    const noRange = active.some((r) => r.noRange);
    const headers: Record<string, string | number> = {
      'Content-Type': entity.contentType,
      ETag: entity.etag,
      'Last-Modified': entity.lastModified.toUTCString(),
      'Cache-Control': entity.cacheControl,
    };
    if (!entity.isFile) headers.Vary = 'Accept';
    if (entity.isFile && !noRange) headers['Accept-Ranges'] = 'bytes';

    if (notModified(req, entity.etag, entity.lastModified)) {
      entry.status = 304;
      res.writeHead(304, headers);
      res.end();
      return;
    }

    let status = 200;
    let body = entity.body;
    const range = entity.isFile && !noRange && ifRangeHolds(req, entity.etag, entity.lastModified)
      ? parseRange(req.headers.range, body.length)
      : ({ kind: 'none' } as const);
    if (range.kind === 'unsatisfiable') {
      entry.status = 416;
      res.writeHead(416, { ...headers, 'Content-Range': `bytes */${body.length}`, 'Content-Length': 0 });
      res.end();
      return;
    }
    if (range.kind === 'range') {
      status = 206;
      headers['Content-Range'] = `bytes ${range.start}-${range.end}/${body.length}`;
      body = body.subarray(range.start, range.end + 1);
    } else if (entity.isFile && req.method === 'GET' && active.some((r) => r.takeWrongBytes())) {
      entry.faults.push('wrongBytes');
      body = corrupt(body);
    }
    headers['Content-Length'] = body.length;
    entry.status = status;
    res.writeHead(status, headers);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    if (body.length >= 2 && active.some((r) => r.takeDrop())) {
      entry.faults.push('dropConnectionMidBody');
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
      return;
    }
    res.end(body);
  }

  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (shutdown.signal.aborted) return res.destroy();
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(`test index error: ${error instanceof Error ? error.stack : String(error)}\n`);
      } else {
        res.destroy();
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://127.0.0.1:${port}`;
  addPackages(options.packages ?? []);

  return {
    url: `${baseUrl}/simple`,
    baseUrl,
    port,
    dir,
    requests,
    get files() {
      return [...files.values()].map((f) => f.dist);
    },
    setFaults: (faults) => {
      rules = toRules(faults);
    },
    addPackages,
    fileUrl: (filename) => `${baseUrl}/files/${encodeURIComponent(filename)}`,
    urlWithAuth: (username, password) =>
      `http://${encodeURIComponent(username)}:${encodeURIComponent(password)}@127.0.0.1:${port}/simple`,
    close: async () => {
      shutdown.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
      if (ownsDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------
// Indexes without a server: find-links folders and file:// simple indexes
// ---------------------------------------------------------------------------

export interface FindLinksDir {
  dir: string;
  files: BuiltDistribution[];
  /** `file://` URL of `index.html` listing the files (when asked for with `indexHtml`). */
  indexHtmlUrl?: string;
}

/**
 * Build releases into a plain folder, for `--find-links <dir>`. With
 * `indexHtml`, also write an `index.html` linking to them with hashes, for
 * `--find-links file:///…/index.html` (a flat HTML page).
 */
export function writeFindLinksDir(specs: PackageSpec[], dir: string, options: { indexHtml?: boolean } = {}): FindLinksDir {
  const files = buildAll(specs, dir);
  if (!options.indexHtml) return { dir, files };
  const page = renderProjectHtml('find-links', files, { fileHref: (f) => encodeURIComponent(f), metadataFiles: false });
  const indexPath = join(dir, 'index.html');
  writeFileSync(indexPath, page);
  return { dir, files, indexHtmlUrl: pathToFileURL(indexPath).href };
}

export interface FileIndex {
  /** `file:///…/simple` (no trailing slash): an index URL. */
  url: string;
  dir: string;
  files: BuiltDistribution[];
}

/**
 * A PEP 503 index on disk: `simple/index.html`, `simple/<project>/index.html`
 * and `files/` with the distributions and their PEP 658 `.metadata` files.
 */
export function writeFileIndex(specs: PackageSpec[], dir: string): FileIndex {
  const filesDir = join(dir, 'files');
  const files = buildAll(specs, filesDir);
  const pageOptions: PageOptions = { fileHref: (f) => `../../files/${encodeURIComponent(f)}`, metadataFiles: true };
  const byProject = new Map<string, BuiltDistribution[]>();
  for (const file of files) {
    byProject.set(file.project, [...(byProject.get(file.project) ?? []), file]);
    if (file.kind === 'wheel') writeFileSync(`${file.path}.metadata`, file.metadata);
  }
  const simpleDir = join(dir, 'simple');
  mkdirSync(simpleDir, { recursive: true });
  const projectList = [...byProject].map(([project, list]) => ({ project, name: list[0]?.name ?? project }));
  writeFileSync(join(simpleDir, 'index.html'), renderProjectListHtml(projectList));
  for (const [project, list] of byProject) {
    mkdirSync(join(simpleDir, project), { recursive: true });
    writeFileSync(join(simpleDir, project, 'index.html'), renderProjectHtml(project, list, pageOptions));
  }
  return { url: pathToFileURL(simpleDir).href, dir, files };
}
