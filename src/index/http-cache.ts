// The on-disk HTTP cache: one file per response (a JSON header line, then the
// body), published atomically so concurrent zephyr processes never see half an entry.

import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic.js';

export interface CacheMeta {
  v: 1;
  /** The requested URL (no credentials). */
  url: string;
  /** The URL after redirects: the base of relative links. */
  finalUrl: string;
  status: number;
  /** When the response was received or last revalidated (ms). */
  storedAt: number;
  age: number;
  etag: string | null;
  lastModified: string | null;
  cacheControl: string | null;
  contentType: string | null;
  date: string | null;
}

export interface CacheEntry {
  meta: CacheMeta;
  body: Buffer;
}

/** What a cache entry is for: pages vary on Accept, so the key includes it. */
export type CacheBucket = 'simple' | 'metadata' | 'wheel-metadata';

export class HttpCache {
  readonly root: string;

  constructor(cacheDir: string) {
    this.root = join(cacheDir, 'http-v1');
  }

  static key(...parts: string[]): string {
    return createHash('sha256').update(parts.join('\n')).digest('hex');
  }

  path(bucket: CacheBucket, key: string): string {
    return join(this.root, bucket, key.slice(0, 2), key);
  }

  async read(bucket: CacheBucket, key: string): Promise<CacheEntry | null> {
    let data: Buffer;
    try {
      data = await readFile(this.path(bucket, key));
    } catch {
      return null;
    }
    const newline = data.indexOf(0x0a);
    if (newline < 0) return null;
    try {
      const meta = JSON.parse(data.subarray(0, newline).toString('utf8')) as CacheMeta;
      if (meta.v !== 1) return null;
      return { meta, body: data.subarray(newline + 1) };
    } catch {
      return null; // a corrupt entry is a miss
    }
  }

  async write(bucket: CacheBucket, key: string, entry: CacheEntry): Promise<void> {
    const header = Buffer.from(`${JSON.stringify(entry.meta)}\n`);
    await writeFileAtomic(this.path(bucket, key), Buffer.concat([header, entry.body]));
  }

  async remove(bucket: CacheBucket, key: string): Promise<void> {
    await rm(this.path(bucket, key), { force: true });
  }
}
