// GET through the HTTP cache: fresh → no request; stale → conditional request
// (304 reuses the body); `no-store` → not written; offline → any stored entry, or an error.
// Bodies are streamed (from the network into the cache file and the caller alike, or
// from the cache file), so a caller that parses as it goes never holds a whole page.

import { ZephyrError } from '../ui/errors.js';
import { log } from '../ui/log.js';
import { isFresh, isStorable } from './cache-control.js';
import { ACCEPT_ENCODING, decodeBody } from './decode.js';
import type { HttpClient } from './http.js';
import { bodyChunks, HttpCache, type CacheBucket, type CacheMeta, type CacheWriter, type OpenEntry, type PreviousEntry } from './http-cache.js';
import { redact } from './url.js';

interface ResponseInfo {
  /** 200, or 404/410 (not there). */
  status: number;
  /** The URL that answered (after redirects): the base for relative links. */
  url: string;
  contentType: string | null;
  source: 'network' | 'cache' | 'revalidated';
}

export interface CachedResponse extends ResponseInfo {
  body: Buffer;
}

export interface StreamedResponse extends ResponseInfo {
  /** The body (decoded), to be read to the end once. */
  chunks: AsyncIterable<Buffer>;
}

export interface CachedGetOptions {
  accept: string;
  bucket: CacheBucket;
  offline: boolean;
  /** What was being looked for, for the offline-miss error (e.g. "the page of project foo"). */
  what?: string;
  /**
   * What the caller expects the body to be (e.g. its announced hash): part of the cache
   * key, so an entry stored for other content at the same URL (another index on a reused
   * address, a replaced file) is never this one.
   */
  variant?: string[];
}

/** The cache key of `url` fetched with `options`. */
export function cacheKeyFor(url: URL, options: Pick<CachedGetOptions, 'accept' | 'variant'>): string {
  return HttpCache.key(redact(url), options.accept, ...(options.variant ?? []));
}

function ageOf(headers: Record<string, string>): number {
  const age = Number(headers.age);
  return Number.isFinite(age) && age > 0 ? age : 0;
}

function metaFrom(url: string, finalUrl: string, status: number, headers: Record<string, string>): CacheMeta {
  return {
    v: 1,
    url,
    finalUrl,
    status,
    storedAt: Date.now(),
    age: ageOf(headers),
    etag: headers.etag ?? null,
    lastModified: headers['last-modified'] ?? null,
    cacheControl: headers['cache-control'] ?? null,
    contentType: headers['content-type'] ?? null,
    date: headers.date ?? null,
  };
}

function infoOf(meta: CacheMeta, source: ResponseInfo['source']): ResponseInfo {
  return { status: meta.status, url: meta.finalUrl, contentType: meta.contentType, source };
}

export function offlineMiss(url: string, what: string | undefined): ZephyrError {
  return new ZephyrError(
    'ZE_OFFLINE_MISS',
    `${what ? `${what[0]?.toUpperCase() ?? ''}${what.slice(1)} (${redact(url)})` : redact(url)} is not in the cache, and offline mode forbids network access.`,
    'Run the command once without --offline to fill the cache.',
  );
}

export async function collect(chunks: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
}

/** Whether a body was read to its end (only then is its copy in the cache complete). */
interface Progress {
  ended: boolean;
}

/** `chunks`, each written to `writer` (when there is one) before it is passed on. */
async function* tee(chunks: AsyncIterable<Buffer>, writer: CacheWriter | null, progress: Progress): AsyncGenerator<Buffer> {
  for await (const chunk of chunks) {
    if (writer !== null) await writer.write(chunk);
    yield chunk;
  }
  progress.ended = true;
}

async function* once(body: Buffer): AsyncGenerator<Buffer> {
  yield body;
}

/** The whole body in memory: for small answers (metadata files, find-links pages). */
export function cachedGet(http: HttpClient, cache: HttpCache, url: URL, options: CachedGetOptions): Promise<CachedResponse> {
  return cachedStream(http, cache, url, options, async ({ chunks, ...info }) => ({ ...info, body: await collect(chunks) }));
}

/**
 * GET through the cache, handing the response to `use`, which reads its body to the end
 * (a body it leaves unread is not cached). A fresh or offline entry is streamed from its
 * file; a network body is written to the cache as it is handed on.
 */
export async function cachedStream<T>(
  http: HttpClient,
  cache: HttpCache,
  url: URL,
  options: CachedGetOptions,
  use: (response: StreamedResponse) => Promise<T>,
): Promise<T> {
  const shown = redact(url);
  const key = cacheKeyFor(url, options);
  const { bucket } = options;

  /** `use` over an open entry's body (closing it), with `rewrite` the entry it is copied to. */
  const fromEntry = async (entry: OpenEntry, source: ResponseInfo['source'], rewrite: CacheWriter | null): Promise<T> => {
    try {
      const body = entry.meta.status === 200 ? bodyChunks(entry) : once(Buffer.alloc(0));
      const progress: Progress = { ended: false };
      const value = await use({ ...infoOf(entry.meta, source), chunks: tee(body, rewrite, progress) });
      if (progress.ended) await rewrite?.commit();
      return value;
    } finally {
      await rewrite?.abort();
      await entry.handle.close().catch(() => undefined);
    }
  };

  let head: CacheMeta | null;
  if (options.offline) {
    const entry = await cache.open(bucket, key);
    if (entry === null) throw offlineMiss(shown, options.what);
    http.stats.cacheHits++;
    log.debug(`GET ${shown} (offline: from cache)`);
    return fromEntry(entry, 'cache', null);
  }
  let previous: PreviousEntry | undefined;
  {
    const entry = await cache.open(bucket, key);
    head = entry?.meta ?? null;
    if (entry !== null && isFresh(entry.meta)) {
      http.stats.cacheHits++;
      log.debug(`GET ${shown} (fresh in cache)`);
      return fromEntry(entry, 'cache', null);
    }
    // Stale: kept open while the request is made, for a writer to compare a new body with.
    if (entry !== null) previous = { meta: entry.meta, handle: entry.handle, bodyOffset: entry.bodyOffset, bodyLength: entry.size - entry.bodyOffset };
  }
  try {
    for (;;) {
      const stale = head;
      const headers: Record<string, string> = { accept: options.accept, 'accept-encoding': ACCEPT_ENCODING };
      const conditional = stale !== null && stale.status === 200 && (stale.etag !== null || stale.lastModified !== null);
      if (conditional) {
        if (stale.etag !== null) headers['if-none-match'] = stale.etag;
        if (stale.lastModified !== null) headers['if-modified-since'] = stale.lastModified;
      }
      type Outcome = { kind: 'done'; value: T } | { kind: 'not-modified'; headers: Record<string, string> };
      const outcome = await http.fetch(url, { headers, note: conditional ? 'stale: revalidating' : 'not cached' }, async (response): Promise<Outcome> => {
        if (response.status === 304 && conditional) return { kind: 'not-modified', headers: response.headers };
        if (response.status === 200) {
          const meta = metaFrom(shown, response.url.href, 200, response.headers);
          const encoding = response.headers['content-encoding'];
          const storable = isStorable(meta.cacheControl);
          const writer = storable ? await cache.writer(bucket, key, meta, previous) : null;
          try {
            // Compressed bodies are decoded whole (the index sends big pages uncompressed).
            const body = encoding === undefined ? response.body : once(await decodeBody(await collect(response.body), encoding, shown));
            const progress: Progress = { ended: false };
            const value = await use({ ...infoOf(meta, 'network'), chunks: tee(body, writer, progress) });
            if (progress.ended) await writer?.commit();
            if (!storable && stale !== null) await cache.remove(bucket, key);
            return { kind: 'done', value };
          } finally {
            await writer?.abort();
          }
        }
        if (response.status === 404 || response.status === 410) {
          // Remembered (for offline runs) but never fresh unless the server says so.
          const meta = metaFrom(shown, response.url.href, response.status, response.headers);
          if (isStorable(meta.cacheControl)) await cache.write(bucket, key, { meta, body: Buffer.alloc(0) });
          return { kind: 'done', value: await use({ ...infoOf(meta, 'network'), chunks: once(Buffer.alloc(0)) }) };
        }
        throw new ZephyrError(
          'ZE_HTTP',
          `${shown} answered HTTP ${response.status}.`,
          response.status === 403 ? 'The index refused access: check credentials and permissions.' : 'Check the index URL.',
        );
      });
      if (outcome.kind === 'done') return outcome.value;

      if (stale === null) throw new Error('unreachable: 304 without a cached entry');
      const entry = await cache.open(bucket, key);
      if (entry === null || entry.meta.storedAt !== stale.storedAt || entry.meta.etag !== stale.etag) {
        // The entry changed or went away meanwhile: ask again, unconditionally.
        await entry?.handle.close().catch(() => undefined);
        head = null;
        await previous?.handle.close().catch(() => undefined);
        previous = undefined;
        continue;
      }
      http.stats.revalidated++;
      const h = outcome.headers;
      const meta: CacheMeta = {
        ...entry.meta,
        storedAt: Date.now(),
        age: ageOf(h),
        etag: h.etag ?? entry.meta.etag,
        lastModified: h['last-modified'] ?? entry.meta.lastModified,
        cacheControl: h['cache-control'] ?? entry.meta.cacheControl,
        date: h.date ?? entry.meta.date,
      };
      const storable = isStorable(meta.cacheControl);
      let rewrite: CacheWriter | null = null;
      try {
        rewrite = storable ? await cache.writer(bucket, key, meta) : null;
      } catch (error) {
        await entry.handle.close().catch(() => undefined);
        throw error;
      }
      const value = await fromEntry({ ...entry, meta }, 'revalidated', rewrite);
      if (!storable) await cache.remove(bucket, key);
      return value;
    }
  } finally {
    await previous?.handle.close().catch(() => undefined);
  }
}
