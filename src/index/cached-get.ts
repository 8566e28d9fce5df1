// GET through the HTTP cache: fresh → no request; stale → conditional request
// (304 reuses the body); `no-store` → not written; offline → any stored entry, or an error.

import { ZephyrError } from '../ui/errors.js';
import { log } from '../ui/log.js';
import { isFresh, isStorable } from './cache-control.js';
import { ACCEPT_ENCODING, decodeBody } from './decode.js';
import type { HttpClient } from './http.js';
import { HttpCache, type CacheBucket, type CacheEntry, type CacheMeta } from './http-cache.js';
import { redact } from './url.js';

export interface CachedResponse {
  /** 200, or 404/410 (not there). */
  status: number;
  body: Buffer;
  /** The URL that answered (after redirects): the base for relative links. */
  url: string;
  contentType: string | null;
  source: 'network' | 'cache' | 'revalidated';
}

export interface CachedGetOptions {
  accept: string;
  bucket: CacheBucket;
  offline: boolean;
  /** What was being looked for, for the offline-miss error (e.g. "the page of project foo"). */
  what?: string;
}

type Outcome =
  | { kind: 'not-modified'; headers: Record<string, string> }
  | { kind: 'ok'; headers: Record<string, string>; body: Buffer; url: string }
  | { kind: 'missing'; status: number; headers: Record<string, string>; url: string };

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

function fromEntry(entry: CacheEntry, source: CachedResponse['source']): CachedResponse {
  return { status: entry.meta.status, body: entry.body, url: entry.meta.finalUrl, contentType: entry.meta.contentType, source };
}

export function offlineMiss(url: string, what: string | undefined): ZephyrError {
  return new ZephyrError(
    'ZE_OFFLINE_MISS',
    `${what ? `${what[0]?.toUpperCase() ?? ''}${what.slice(1)} (${redact(url)})` : redact(url)} is not in the cache, and offline mode forbids network access.`,
    'Run the command once without --offline to fill the cache.',
  );
}

export async function cachedGet(http: HttpClient, cache: HttpCache, url: URL, options: CachedGetOptions): Promise<CachedResponse> {
  const shown = redact(url);
  const key = HttpCache.key(shown, options.accept);
  const entry = await cache.read(options.bucket, key);
  if (options.offline) {
    if (entry === null) throw offlineMiss(shown, options.what);
    http.stats.cacheHits++;
    log.debug(`GET ${shown} (offline: from cache)`);
    return fromEntry(entry, 'cache');
  }
  if (entry !== null && isFresh(entry.meta)) {
    http.stats.cacheHits++;
    log.debug(`GET ${shown} (fresh in cache)`);
    return fromEntry(entry, 'cache');
  }

  const headers: Record<string, string> = { accept: options.accept, 'accept-encoding': ACCEPT_ENCODING };
  const conditional = entry !== null && entry.meta.status === 200 && (entry.meta.etag !== null || entry.meta.lastModified !== null);
  if (conditional) {
    if (entry.meta.etag !== null) headers['if-none-match'] = entry.meta.etag;
    if (entry.meta.lastModified !== null) headers['if-modified-since'] = entry.meta.lastModified;
  }
  const outcome = await http.fetch(url, { headers, note: conditional ? 'stale: revalidating' : 'not cached' }, async (response): Promise<Outcome> => {
    if (response.status === 304 && conditional) return { kind: 'not-modified', headers: response.headers };
    if (response.status === 200) {
      const raw = Buffer.from(await response.body.arrayBuffer());
      const body = await decodeBody(raw, response.headers['content-encoding'], shown);
      return { kind: 'ok', headers: response.headers, body, url: response.url.href };
    }
    if (response.status === 404 || response.status === 410) {
      return { kind: 'missing', status: response.status, headers: response.headers, url: response.url.href };
    }
    throw new ZephyrError(
      'ZE_HTTP',
      `${shown} answered HTTP ${response.status}.`,
      response.status === 403 ? 'The index refused access: check credentials and permissions.' : 'Check the index URL.',
    );
  });

  if (outcome.kind === 'not-modified' && entry !== null) {
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
    if (isStorable(meta.cacheControl)) await cache.write(options.bucket, key, { meta, body: entry.body });
    else await cache.remove(options.bucket, key);
    return fromEntry({ meta, body: entry.body }, 'revalidated');
  }
  if (outcome.kind === 'ok') {
    const meta = metaFrom(shown, outcome.url, 200, outcome.headers);
    if (isStorable(meta.cacheControl)) await cache.write(options.bucket, key, { meta, body: outcome.body });
    else if (entry !== null) await cache.remove(options.bucket, key);
    return fromEntry({ meta, body: outcome.body }, 'network');
  }
  if (outcome.kind === 'missing') {
    // Remembered (for offline runs) but never fresh unless the server says so.
    const meta = metaFrom(shown, outcome.url, outcome.status, outcome.headers);
    if (isStorable(meta.cacheControl)) await cache.write(options.bucket, key, { meta, body: Buffer.alloc(0) });
    return fromEntry({ meta, body: Buffer.alloc(0) }, 'network');
  }
  throw new Error('unreachable: 304 without a cached entry');
}
