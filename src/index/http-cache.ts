// The on-disk HTTP cache: one file per response (a JSON header line, then the
// body), published atomically so concurrent zephyr processes never see half an entry.

import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rm, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { publish, tempPathFor } from './atomic.js';
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

/** What a stale entry held, so that a writer can tell an identical answer apart. */
export interface PreviousEntry {
  meta: CacheMeta;
  bodyLength: number;
}

export interface CacheWriter {
  write(chunk: Buffer): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/**
 * The body of an open entry: what was read with the header, then the rest in one read
 * (entries are immutable once published; each read is a trip to the thread pool, which
 * the native page reader shares).
 */
export async function* bodyChunks(entry: OpenEntry): AsyncGenerator<Buffer> {
  if (entry.prefix.length > 0) yield entry.prefix;
  let position = entry.bodyOffset + entry.prefix.length;
  while (position < entry.size) {
    const want = entry.size - position;
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
   * A new entry: its body is gathered as it streams in (entries are pages and metadata, which
   * their readers hold whole anyway), then written in one go and published by `commit`;
   * `abort` drops it. One write per entry instead of one per chunk: the thread pool that
   * does the writes also reads pages natively.
   */
  async writer(bucket: CacheBucket, key: string, meta: CacheMeta, previous?: PreviousEntry): Promise<CacheWriter> {
    const path = this.path(bucket, key);
    const parts: Buffer[] = [Buffer.from(`${JSON.stringify(meta)}\n`)];
    let done = false;
    return {
      write: (chunk) => {
        if (!done) parts.push(chunk);
        return Promise.resolve();
      },
      abort: () => {
        // After a commit, the entry is the commit's.
        if (!done) {
          done = true;
          parts.length = 0;
        }
        return Promise.resolve();
      },
      commit: async () => {
        if (done) return;
        done = true;
        if (previous !== undefined && (await this.unchanged(bucket, key, meta, previous, parts))) return;
        const temp = tempPathFor(path);
        const handle = await this.create(temp);
        try {
          let written = 0;
          const total = parts.reduce((sum, p) => sum + p.length, 0);
          while (written < total) {
            const { bytesWritten } = await handle.writev(written === 0 ? parts : [Buffer.concat(parts).subarray(written)]);
            written += bytesWritten;
          }
          await handle.close();
        } catch (error) {
          await handle.close().catch(() => undefined);
          await rm(temp, { force: true });
          throw error;
        } finally {
          parts.length = 0;
        }
        await publish(temp, path);
      },
    };
  }

  /**
   * Whether the entry on disk already says what `parts` would (the same body and validators,
   * and no freshness lifetime that a new `storedAt` would extend). Indexes that send no
   * caching headers are asked again on every run: rewriting an identical page each time
   * costs a rename (and the old file's removal) per page.
   */
  private async unchanged(bucket: CacheBucket, key: string, meta: CacheMeta, previous: PreviousEntry, parts: Buffer[]): Promise<boolean> {
    const same = (['status', 'finalUrl', 'etag', 'lastModified', 'cacheControl', 'contentType'] as const).every((k) => meta[k] === previous.meta[k]);
    const bodyLength = parts.reduce((sum, p) => sum + p.length, 0) - (parts[0]?.length ?? 0);
    if (!same || parseCacheControl(meta.cacheControl).has('max-age') || bodyLength !== previous.bodyLength) return false;
    const entry = await this.read(bucket, key);
    if (entry === null || entry.body.length !== bodyLength) return false;
    let at = 0;
    for (const part of parts.slice(1)) {
      if (!part.equals(entry.body.subarray(at, at + part.length))) return false;
      at += part.length;
    }
    return true;
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
