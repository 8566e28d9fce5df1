// Writing one HTTP cache entry as its body streams in, a part of a megabyte or so at a time
// (pages can be megabytes; none is held whole). When the entry on disk said the same before
// (an index that sends no caching headers is asked again on every run), the parts are
// compared with it instead, and nothing is written.

import { rm, type FileHandle } from 'node:fs/promises';
import { publish, tempPathFor } from './atomic.js';

/** Body bytes gathered before they are written (or compared): one trip to the thread pool each. */
const PART_BYTES = 256 << 10;

export interface CacheWriter {
  write(chunk: Buffer): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/**
 * The entry on disk that the new one may repeat: the file, open (the caller closes it), where
 * its body starts, and its length. Entries are replaced, never changed: the open file is the
 * entry as it was when opened.
 */
export interface SameAs {
  handle: FileHandle;
  bodyOffset: number;
  bodyLength: number;
}

/** Reads `length` bytes at `position` (fewer at the end of the file). */
async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

function equalParts(parts: Buffer[], old: Buffer): boolean {
  let at = 0;
  for (const part of parts) {
    if (!part.equals(old.subarray(at, at + part.length))) return false;
    at += part.length;
  }
  return at === old.length;
}

/**
 * A writer of the entry at `path`: `header` then the body, published by `commit`; `abort` drops
 * it. `sameAs`: an entry whose header says what `header` would (see HttpCache.writer); while the
 * body matches its body, nothing is written, and when all of it does, the entry is left as it is.
 * `create` opens a new file for writing (making its folder when needed).
 */
export function streamingWriter(path: string, header: Buffer, sameAs: SameAs | null, create: (file: string) => Promise<FileHandle>): CacheWriter {
  let parts: Buffer[] = [];
  let partsBytes = 0;
  let done = false;
  /** While comparing: how much of the old entry's body matched. */
  let compared = 0;
  let comparing = sameAs !== null;
  /** Once writing: the temporary file. */
  let temp: { path: string; handle: FileHandle } | null = null;
  /** Flushes run one after the other; a failed one fails the commit. */
  let flushing: Promise<void> = Promise.resolve();
  let failure: { error: unknown } | null = null;

  const writeAll = async (handle: FileHandle, buffers: Buffer[]): Promise<void> => {
    const total = buffers.reduce((sum, b) => sum + b.length, 0);
    let written = 0;
    while (written < total) {
      const { bytesWritten } = await handle.writev(written === 0 ? buffers : [Buffer.concat(buffers).subarray(written)]);
      written += bytesWritten;
    }
  };

  /** From comparing to writing: the header, the old body's bytes that matched, then `rest`. */
  const startWriting = async (rest: Buffer[]): Promise<void> => {
    const file = tempPathFor(path);
    const handle = await create(file);
    temp = { path: file, handle };
    const matched = sameAs !== null && compared > 0 ? await readAt(sameAs.handle, sameAs.bodyOffset, compared) : Buffer.alloc(0);
    comparing = false;
    await writeAll(handle, [header, matched, ...rest]);
  };

  const flush = async (batch: Buffer[], bytes: number, last: boolean): Promise<void> => {
    if (comparing && sameAs !== null) {
      const fits = compared + bytes <= sameAs.bodyLength && (!last || compared + bytes === sameAs.bodyLength);
      if (fits && equalParts(batch, await readAt(sameAs.handle, sameAs.bodyOffset + compared, bytes))) {
        compared += bytes;
        return;
      }
      await startWriting(batch);
      return;
    }
    if (temp === null) {
      await startWriting(batch);
      return;
    }
    await writeAll(temp.handle, batch);
  };

  const queue = (last: boolean): Promise<void> => {
    const batch = parts;
    const bytes = partsBytes;
    parts = [];
    partsBytes = 0;
    flushing = flushing.then(async () => {
      if (failure === null) {
        try {
          await flush(batch, bytes, last);
        } catch (error) {
          failure = { error };
        }
      }
    });
    return flushing;
  };

  const cleanUp = async (): Promise<void> => {
    if (temp !== null) {
      const { path: file, handle } = temp;
      temp = null;
      await handle.close().catch(() => undefined);
      await rm(file, { force: true });
    }
  };

  return {
    write: async (chunk) => {
      if (done) return;
      parts.push(chunk);
      partsBytes += chunk.length;
      if (partsBytes >= PART_BYTES) await queue(false);
    },
    abort: async () => {
      // After a commit, the entry is the commit's.
      if (done) return;
      done = true;
      parts = [];
      await flushing;
      await cleanUp();
    },
    commit: async () => {
      if (done) return;
      done = true;
      await queue(true);
      try {
        if (failure !== null) throw failure.error;
        if (temp === null) {
          // Every byte matched the entry on disk: it stays.
          await cleanUp();
          return;
        }
        const { path: file, handle } = temp;
        temp = null;
        await handle.close();
        await publish(file, path).catch(async (error: unknown) => {
          await rm(file, { force: true });
          throw error;
        });
      } finally {
        await cleanUp();
      }
    },
  };
}
