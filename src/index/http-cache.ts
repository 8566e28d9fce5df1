// The on-disk HTTP cache: one file per response (a JSON header line, then the
// body), published atomically so concurrent zephyr processes never see half an entry.

import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rm, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { publish, tempPathFor } from './atomic.js';

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
  handle: FileHandle;
}

export interface CacheWriter {
  write(chunk: Buffer): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/** Bodies are streamed from the cache in chunks of this size. */
const BODY_CHUNK = 64 * 1024;

/** The body of an open entry, chunk by chunk (each chunk is a new buffer). */
export async function* bodyChunks(entry: OpenEntry): AsyncGenerator<Buffer> {
  let position = entry.bodyOffset;
  for (;;) {
    const chunk = Buffer.allocUnsafe(BODY_CHUNK);
    const { bytesRead } = await entry.handle.read(chunk, 0, BODY_CHUNK, position);
    if (bytesRead === 0) return;
    position += bytesRead;
    yield bytesRead === BODY_CHUNK ? chunk : chunk.subarray(0, bytesRead);
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
          return { meta, bodyOffset: position + newline + 1, handle };
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

  /** A new entry, written as its body streams in; published by `commit`, dropped by `abort`. */
  async writer(bucket: CacheBucket, key: string, meta: CacheMeta): Promise<CacheWriter> {
    const path = this.path(bucket, key);
    await mkdir(dirname(path), { recursive: true });
    const temp = tempPathFor(path);
    const handle = await open(temp, 'w');
    let done = false;
    const writeAll = async (data: Buffer): Promise<void> => {
      let offset = 0;
      while (offset < data.length) {
        const { bytesWritten } = await handle.write(data, offset, data.length - offset);
        offset += bytesWritten;
      }
    };
    const abort = async (): Promise<void> => {
      if (done) return;
      done = true;
      await handle.close().catch(() => undefined);
      await rm(temp, { force: true });
    };
    try {
      await writeAll(Buffer.from(`${JSON.stringify(meta)}\n`));
    } catch (error) {
      await abort();
      throw error;
    }
    return {
      write: writeAll,
      abort,
      commit: async () => {
        if (done) return;
        done = true;
        try {
          await handle.close();
        } catch (error) {
          await rm(temp, { force: true });
          throw error;
        }
        await publish(temp, path);
      },
    };
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
