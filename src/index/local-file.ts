// Random access to a file on disk, for reading zips without loading them.

import { open } from 'node:fs/promises';
import type { RangeReader } from './zip.js';

export async function withFileReader<T>(path: string, use: (reader: RangeReader) => Promise<T>): Promise<T> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const reader: RangeReader = {
      size,
      async read(offset, length) {
        const buffer = Buffer.alloc(Math.max(0, Math.min(length, size - offset)));
        let done = 0;
        while (done < buffer.length) {
          const { bytesRead } = await handle.read(buffer, done, buffer.length - done, offset + done);
          if (bytesRead === 0) break;
          done += bytesRead;
        }
        return buffer.subarray(0, done);
      },
    };
    return await use(reader);
  } finally {
    await handle.close();
  }
}
