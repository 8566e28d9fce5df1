// The index client: project pages from simple indexes and find-links, wheel
// metadata (PEP 658, range requests, or the whole wheel), downloads.

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ZephyrError, isZephyrError } from '../ui/errors.js';
import { log } from '../ui/log.js';
import { CredentialStore } from './auth.js';
import { cachedGet, cachedStream, cacheKeyFor, collect, offlineMiss } from './cached-get.js';
import { Downloader, hashMismatch } from './download.js';
import { FindLinks } from './find-links.js';
import { KEEP_ALL, type FileFilter } from './file-filter.js';
import { contentKey, digestOf, pickHash } from './hashes.js';
import { HttpClient } from './http.js';
import { HttpCache } from './http-cache.js';
import { openRemoteZip, RangeUnsupportedError } from './lazy-wheel.js';
import { readLocalPage } from './local.js';
import { withFileReader } from './local-file.js';
import { distKind, normalizeName, versionOf } from './names.js';
import { defaultNetrcPath } from './netrc.js';
import { mapLimit } from './semaphore.js';
import { keptParts, pageParser, parseProjectHtml, parseProjectList, splitFiles, SIMPLE_ACCEPT, type ParsedPage } from './simple.js';
import type { DistFile, IndexClientOptions, IndexStats, IndexStrategy, ProjectOptions, ProjectPage } from './types.js';
import { redact, trimSlashes, withoutCredentials } from './url.js';
import { readWheelMetadata } from './zip.js';

interface Index {
  /** The root without credentials or trailing slash. */
  base: string;
  /** As shown to users and recorded in DistFile.index. */
  shown: string;
  local: boolean;
}

function parseIndex(raw: string): Index {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ZephyrError('ZE_BAD_INDEX_URL', `Not a valid index URL: ${redact(raw)}.`, 'Index URLs look like https://host/simple or file:///path/to/simple.');
  }
  const base = trimSlashes(withoutCredentials(url).href);
  return { base, shown: base, local: url.protocol === 'file:' };
}

/**
 * Pages of several indexes (and find-links), merged as the strategy says: a file whose name an
 * earlier page has is left out, and with `unsafe-first-match` every version an earlier page has
 * (also through files its filter left out).
 */
function mergePages(pages: ParsedPage[], project: string, strategy: IndexStrategy): ParsedPage {
  if (pages.length === 1 && pages[0] !== undefined) return pages[0];
  const seenFiles = new Set<string>();
  const seenVersions = new Set<string>();
  const merged: ParsedPage = { files: [], versionHashes: new Map() };
  const firstMatch = strategy === 'unsafe-first-match';
  for (const page of pages) {
    for (const file of page.files) {
      if (seenFiles.has(file.filename)) continue;
      const version = versionOf(file.filename, project)?.toLowerCase() ?? null;
      if (firstMatch && version !== null && seenVersions.has(version)) continue;
      seenFiles.add(file.filename);
      merged.files.push(file);
    }
    for (const [version, hashes] of page.versionHashes) {
      if (firstMatch && seenVersions.has(version.toLowerCase())) continue;
      merged.versionHashes.set(version, (merged.versionHashes.get(version) ?? '') + hashes);
    }
    for (const version of page.versionHashes.keys()) seenVersions.add(version.toLowerCase());
  }
  return merged;
}

/** Pages whose files the native reader keeps for a solver get them back, to be merged. */
async function materialize(pages: ParsedPage[], filter: FileFilter): Promise<void> {
  const kept = pages.filter((p) => p.solverPage !== undefined);
  if (kept.length === 0) return;
  const parts = keptParts(await filter.pageReader(), kept.map((p) => ({ page: p.solverPage, all: true })));
  kept.forEach((p, i) => {
    p.files = parts[i]?.files ?? [];
    p.versionHashes = new Map(Object.entries(parts[i]?.versions ?? {}));
    delete p.solverPage;
    delete p.kept;
  });
}

/** A body whose digest is not the announced one; `downloaded` when it came from the network (else from the cache). */
class BodyMismatch extends Error {
  override name = 'BodyMismatch';
  constructor(
    readonly actual: string,
    readonly downloaded: boolean,
  ) {
    super(`digest ${actual} is not the announced one`);
  }
}

export class IndexClient {
  private readonly http: HttpClient;
  private readonly cache: HttpCache;
  private readonly downloader: Downloader;
  private readonly findLinks: FindLinks;
  private readonly indexes: Index[];
  private readonly strategy: IndexStrategy;
  private readonly offline: boolean;
  private readonly concurrency: number;
  private readonly projects = new Map<string, Promise<ProjectPage | null>>();
  /** Hosts seen ignoring Range: their wheels are downloaded whole. */
  private readonly noRangeHosts = new Set<string>();

  constructor(options: IndexClientOptions) {
    const findLinks = options.findLinks ?? [];
    this.indexes = options.indexUrls.map(parseIndex);
    this.strategy = options.indexStrategy ?? 'first-index';
    this.offline = options.offline ?? false;
    this.concurrency = Math.max(1, options.concurrency ?? 50);
    const credentials = new CredentialStore(
      [...options.indexUrls, ...findLinks],
      options.netrcPath === undefined ? defaultNetrcPath() : options.netrcPath,
    );
    this.http = new HttpClient({
      concurrency: this.concurrency,
      allowInsecureHosts: options.allowInsecureHosts ?? [],
      credentials,
      retries: options.retries ?? 3,
      retryBaseDelayMs: options.retryBaseDelayMs ?? 100,
    });
    this.cache = new HttpCache(options.cacheDir);
    this.downloader = new Downloader(this.http, options.cacheDir, this.offline);
    this.findLinks = new FindLinks(findLinks, this.http, this.cache, this.offline);
  }

  /**
   * The project's files, or null when no index (nor find-links location) has it.
   * With `options.keep`, only the files it keeps are in `files`; the rest are in `dropped`.
   */
  getProject(name: string, options: ProjectOptions = {}): Promise<ProjectPage | null> {
    const project = normalizeName(name);
    // Filtered lookups are not shared: the filter decides what the answer holds.
    if (options.keep !== undefined) return this.lookup(project, options.keep);
    let page = this.projects.get(project);
    if (page === undefined) {
      // Remembered while in flight, so concurrent callers share one lookup, and afterwards
      // only when no index has the project: a long resolution must not keep every page
      // (some have thousands of files) alive; a repeated lookup is answered by the HTTP cache.
      page = this.lookup(project, undefined);
      this.projects.set(project, page);
      const forget = (): void => {
        this.projects.delete(project);
      };
      page.then((found) => (found === null ? undefined : forget()), forget);
    }
    return page;
  }

  /** Many projects at once (bounded by `concurrency`); keys are the names as given. */
  async getProjects(names: string[]): Promise<Map<string, ProjectPage | null>> {
    const unique = [...new Set(names)];
    const pages = await mapLimit(unique, this.concurrency, (name) => this.getProject(name));
    return new Map(unique.map((name, i) => [name, pages[i] ?? null]));
  }

  private async lookup(project: string, keep: FileFilter | undefined): Promise<ProjectPage | null> {
    const filter = keep ?? KEEP_ALL;
    const found: { index: Index; files: ParsedPage }[] = [];
    if (this.strategy === 'first-index') {
      for (const index of this.indexes) {
        const files = await this.indexPage(index, project, filter);
        if (files !== null) {
          found.push({ index, files });
          break;
        }
      }
    } else {
      const all = await Promise.all(this.indexes.map(async (index) => ({ index, files: await this.indexPage(index, project, filter) })));
      for (const { index, files } of all) if (files !== null) found.push({ index, files });
    }
    const flat = await this.findLinks.filesFor(project);
    if (found.length === 0 && flat.length === 0) return null;
    const index = found[0]?.index.shown ?? flat[0]?.index ?? '';
    const from = found.length > 0 ? found.map((f) => f.index.shown).join(', ') : 'find-links';
    const pages = found.map((f) => f.files);
    if (flat.length > 0) pages.push(splitFiles(flat, filter, project));
    if (pages.length > 1) await materialize(pages, filter);
    const { files, versionHashes, solverPage, kept } = mergePages(pages, project, this.strategy);
    const counts = kept ?? { files: files.length, versions: versionHashes.size };
    log.debug(`${project}: ${counts.files} files${keep === undefined ? '' : ' kept'} (${counts.versions} versions) from ${from}`);
    const page: ProjectPage = { name: project, files, versionHashes, index };
    if (solverPage !== undefined) page.solverPage = solverPage;
    return page;
  }

  /** The files of one index's page for `project`, or null when that index does not have it. */
  private async indexPage(index: Index, project: string, filter: FileFilter): Promise<ParsedPage | null> {
    const url = new URL(`${index.base}/${encodeURIComponent(project)}/`);
    if (index.local) {
      const page = await readLocalPage(url);
      return page === null ? null : splitFiles(parseProjectHtml(page.body, page.url, index.shown, null), filter, project);
    }
    const options = { accept: SIMPLE_ACCEPT, bucket: 'simple' as const, offline: this.offline, what: `the page of ${project} on ${index.shown}` };
    return cachedStream(this.http, this.cache, url, options, async (response) => {
      const parser = response.status === 200 ? pageParser(response.contentType, response.url, index.shown, project, filter) : null;
      for await (const chunk of response.chunks) parser?.push(chunk);
      return parser === null ? null : parser.end();
    });
  }

  /** The wheel's METADATA text. Sdists have none to offer here: build them (see download()). */
  async getMetadata(file: DistFile): Promise<string> {
    if (distKind(file.filename) !== 'wheel') {
      throw new ZephyrError('ZE_NOT_A_WHEEL', `${file.filename} is not a wheel; its metadata comes from building it.`, 'Download the sdist and build it.');
    }
    if (file.hasMetadata) {
      const text = await this.coreMetadataFile(file);
      if (text !== null) return text;
    }
    // Keyed by what the index says the wheel is, never by its name or URL alone.
    const key = HttpCache.key(contentKey(file));
    const derived = await this.cache.read('wheel-metadata', key);
    if (derived !== null) {
      this.http.stats.cacheHits++;
      return derived.body.toString('utf8');
    }
    const local = await this.downloader.localPath(file);
    if (local !== null) return withFileReader(local, (reader) => readWheelMetadata(reader, file.filename));
    if (this.offline) throw offlineMiss(file.url, `the metadata of ${file.filename}`);

    const url = new URL(file.url);
    if (!this.noRangeHosts.has(url.host)) {
      try {
        const text = await readWheelMetadata(await openRemoteZip(this.http, url), file.filename);
        const meta = { v: 1 as const, url: redact(url), finalUrl: redact(url), status: 200, storedAt: Date.now(), age: 0, etag: null, lastModified: null, cacheControl: null, contentType: null, date: null };
        await this.cache.write('wheel-metadata', key, { meta, body: Buffer.from(text) });
        return text;
      } catch (error) {
        if (!(error instanceof RangeUnsupportedError)) throw error;
        log.debug(`${error.message}: downloading whole wheels from ${url.host}`);
        this.noRangeHosts.add(url.host);
      }
    }
    const path = await this.download(file);
    return withFileReader(path, (reader) => readWheelMetadata(reader, file.filename));
  }

  /**
   * PEP 658 `<url>.metadata`, hash-checked; null when it is missing after all (or offline and
   * not cached). Cached under its announced hash (and the wheel's), so a metadata file cached
   * for other bytes at the same URL is never taken for this one; a cached copy that fails the
   * check is dropped and fetched again, and a download that fails it is retried once, then reported.
   */
  private async coreMetadataFile(file: DistFile): Promise<string | null> {
    const url = new URL(`${file.url}.metadata`);
    const expected = pickHash(file.metadataHashes ?? {});
    const mismatch = (actual: string): ZephyrError =>
      hashMismatch({ ...file, filename: `${file.filename}.metadata`, url: url.href }, expected?.algorithm ?? '', expected?.digest ?? '', actual);
    if (url.protocol === 'file:') {
      let body: Buffer;
      try {
        body = await readFile(fileURLToPath(url));
      } catch {
        return null;
      }
      const actual = expected === null ? null : digestOf(expected.algorithm, body);
      if (expected !== null && actual !== null && actual !== expected.digest) throw mismatch(actual);
      return body.toString('utf8');
    }

    const variant = [`metadata ${expected === null ? 'unhashed' : `${expected.algorithm}:${expected.digest}`}`, `of ${contentKey(file)}`];
    const options = { accept: '*/*', bucket: 'metadata' as const, offline: this.offline, what: `the metadata of ${file.filename}`, variant };
    let downloads = 0;
    let cacheMisses = 0;
    for (;;) {
      let got: { status: number; body: Buffer };
      try {
        // Checked while the body is read: a body that fails is never written to the cache.
        got = await cachedStream(this.http, this.cache, url, options, async (response) => {
          const body = await collect(response.chunks);
          if (response.status === 200 && expected !== null) {
            const actual = digestOf(expected.algorithm, body);
            if (actual !== expected.digest) throw new BodyMismatch(actual, response.source === 'network');
          }
          return { status: response.status, body };
        });
      } catch (error) {
        if (isZephyrError(error) && error.code === 'ZE_OFFLINE_MISS') return null;
        if (!(error instanceof BodyMismatch)) throw error;
        if (error.downloaded) {
          downloads++;
          if (downloads >= 2) throw mismatch(error.actual);
          log.debug(`${redact(url)}: ${expected?.algorithm} mismatch (expected ${expected?.digest}, got ${error.actual}); downloading again`);
        } else {
          // Only bodies that passed are stored, so this is damage on disk (or another
          // writer's): dropped once; should it come back, it is reported.
          if (cacheMisses++ > 0) throw mismatch(error.actual);
          log.debug(`${redact(url)}: the cached copy fails its ${expected?.algorithm} check; fetching it again`);
        }
        await this.cache.remove('metadata', cacheKeyFor(url, options));
        continue;
      }
      if (got.status !== 200) {
        log.debug(`${redact(url)} is announced but answered ${got.status}; reading the wheel instead`);
        return null;
      }
      return got.body.toString('utf8');
    }
  }

  /**
   * A local path of the file: in the cache (downloaded and hash-checked), or the file itself for file: URLs.
   * `onBytes` hears of each chunk received from the network (for progress display).
   */
  download(file: DistFile, onBytes?: (bytes: number) => void): Promise<string> {
    return this.downloader.download(file, onBytes);
  }

  /** Every project name the indexes list (and find-links offer), for "did you mean" suggestions. */
  async listProjectNames(): Promise<string[]> {
    const names = new Set<string>(await this.findLinks.names());
    for (const index of this.indexes) {
      const url = new URL(`${index.base}/`);
      try {
        if (index.local) {
          const page = await readLocalPage(url);
          if (page !== null) for (const n of parseProjectList(page.body, null, page.url)) names.add(n);
          continue;
        }
        const response = await cachedGet(this.http, this.cache, url, { accept: SIMPLE_ACCEPT, bucket: 'simple', offline: this.offline, what: 'the project list' });
        if (response.status === 200) {
          for (const n of parseProjectList(response.body.toString('utf8'), response.contentType, response.url)) names.add(n);
        }
      } catch (error) {
        if (isZephyrError(error) && error.code === 'ZE_OFFLINE_MISS') continue;
        throw error;
      }
    }
    return [...names].sort((a, b) => a.localeCompare(b));
  }

  stats(): IndexStats {
    return { ...this.http.stats };
  }

  async close(): Promise<void> {
    await this.http.close();
  }
}
