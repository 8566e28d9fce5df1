// The on-disk HTTP cache: one file per response (a JSON header line, then the
// body), published atomically so concurrent zephyr processes never see half an entry.

import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rm, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { streamingWriter, type CacheWriter } from './cache-writer.js';
import { parseCacheControl } from './cache-control.js';

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

/** An entry whose header was read, open to stream its body from. */
export interface OpenEntry {
  meta: CacheMeta;
  /** Where the body starts in the file. */
  bodyOffset: number;
  /** The start of the body, read with the header (stale entries need no more). */
  prefix: Buffer;
  /** The file's size. */
  size: number;
  handle: FileHandle;
}

/** A stale entry, open (its opener closes it), so that a writer can tell an identical answer apart. */
export interface PreviousEntry {
  meta: CacheMeta;
  handle: FileHandle;
  bodyOffset: number;
  bodyLength: number;
}

export type { CacheWriter };

/** The most of a body read at once: pages can be megabytes, and are read as they stream. */
const READ_BYTES = 1 << 20;

/**
 * The body of an open entry: what was read with the header, then the rest a megabyte at a
 * time (entries are immutable once published; each read is a trip to the thread pool, which
 * the native page reader shares).
 */
export async function* bodyChunks(entry: OpenEntry): AsyncGenerator<Buffer> {
  if (entry.prefix.length > 0) yield entry.prefix;
  let position = entry.bodyOffset + entry.prefix.length;
  while (position < entry.size) {
    const want = Math.min(entry.size - position, READ_BYTES);
    const chunk = Buffer.allocUnsafe(want);
    const { bytesRead } = await entry.handle.read(chunk, 0, want, position);
    if (bytesRead === 0) return;
    position += bytesRead;
    yield bytesRead === want ? chunk : chunk.subarray(0, bytesRead);
  }
}

/** Header lines are small; the first read almost always holds the whole line. */
const HEAD_CHUNK = 4096;

function parseMeta(line: Buffer): CacheMeta | null {
  try {
    const meta = JSON.parse(line.toString('utf8')) as CacheMeta;
    return meta.v === 1 ? meta : null;
  } catch {
    return null; // a corrupt entry is a miss
  }
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
    const meta = parseMeta(data.subarray(0, newline));
    return meta === null ? null : { meta, body: data.subarray(newline + 1) };
  }

  /**
   * An entry's header, with the file left open to stream its body from (pages can be
   * megabytes): the header and the body are then of one and the same entry.
   * The caller closes `handle`.
   */
  async open(bucket: CacheBucket, key: string): Promise<OpenEntry | null> {
    let handle: FileHandle;
    try {
      handle = await open(this.path(bucket, key), 'r');
    } catch {
      return null;
    }
    try {
      const { size } = await handle.stat();
      const chunks: Buffer[] = [];
      let position = 0;
      for (;;) {
        const chunk = Buffer.allocUnsafe(HEAD_CHUNK);
        const { bytesRead } = await handle.read(chunk, 0, HEAD_CHUNK, position);
        if (bytesRead === 0) break;
        const newline = chunk.subarray(0, bytesRead).indexOf(0x0a);
        if (newline >= 0) {
          chunks.push(chunk.subarray(0, newline));
          const meta = parseMeta(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
          if (meta === null) break;
          return { meta, bodyOffset: position + newline + 1, prefix: chunk.subarray(newline + 1, bytesRead), size, handle };
        }
        chunks.push(chunk.subarray(0, bytesRead));
        position += bytesRead;
      }
    } catch {
      // unreadable: a miss
    }
    await handle.close().catch(() => undefined);
    return null;
  }

  /**
   * A new entry, written as its body streams in and published by `commit` (`abort` drops it).
   * `previous`: the entry on disk when the request was made; when the answer repeats it (same
   * validators and body, and no freshness lifetime that a new `storedAt` would extend), it is
   * left as it is. Indexes that send no caching headers are asked again on every run:
   * rewriting an identical page each time costs a rename (and the old file's removal) per page.
   */
  async writer(bucket: CacheBucket, key: string, meta: CacheMeta, previous?: PreviousEntry): Promise<CacheWriter> {
    const path = this.path(bucket, key);
    const header = Buffer.from(`${JSON.stringify(meta)}\n`);
    const sameHeader =
      previous !== undefined &&
      (['status', 'finalUrl', 'etag', 'lastModified', 'cacheControl', 'contentType'] as const).every((k) => meta[k] === previous.meta[k]) &&
      !parseCacheControl(meta.cacheControl).has('max-age');
    const sameAs = sameHeader ? { handle: previous.handle, bodyOffset: previous.bodyOffset, bodyLength: previous.bodyLength } : null;
    return streamingWriter(path, header, sameAs, (file) => this.create(file));
  }

  /** Folders made by this process: each is made once (again if it went away meanwhile). */
  private readonly madeDirs = new Set<string>();

  private async create(file: string): Promise<FileHandle> {
    const dir = dirname(file);
    if (this.madeDirs.has(dir)) {
      try {
        return await open(file, 'w');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    await mkdir(dir, { recursive: true });
    this.madeDirs.add(dir);
    return open(file, 'w');
  }

  /** Header and body are written one after the other: the body is never copied. */
  async write(bucket: CacheBucket, key: string, entry: CacheEntry): Promise<void> {
    const writer = await this.writer(bucket, key, entry.meta);
    try {
      await writer.write(entry.body);
    } catch (error) {
      await writer.abort();
      throw error;
    }
    await writer.commit();
  }

  async remove(bucket: CacheBucket, key: string): Promise<void> {
    await rm(this.path(bucket, key), { force: true });
  }
}
