// Choosing and checking digests of index-announced hashes.

import { createHash, getHashes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { DistFile } from './types.js';

const PREFERRED = ['sha256', 'sha512', 'sha384', 'sha224'];

/** The algorithm to verify with (sha256 first), or null when none is usable. */
export function pickHash(hashes: Record<string, string>): { algorithm: string; digest: string } | null {
  const available = new Set(getHashes());
  for (const algorithm of PREFERRED) {
    const digest = hashes[algorithm];
    if (digest !== undefined && available.has(algorithm)) return { algorithm, digest: digest.toLowerCase() };
  }
  return null;
}

export function digestOf(algorithm: string, data: Uint8Array | string): string {
  return createHash(algorithm).update(data).digest('hex');
}

export async function digestOfFile(algorithm: string, path: string): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * What the index says a file's bytes are, for keying what the cache derives from the
 * file (the download, its metadata): the announced hash, or without one the URL with
 * the size and upload time the index gives. A file with other bytes under the same
 * name (another index, a replaced release) then never meets this file's entries.
 */
export function contentKey(file: Pick<DistFile, 'hashes' | 'url' | 'size' | 'uploadTime'>): string {
  const hash = pickHash(file.hashes);
  if (hash !== null) return `${hash.algorithm}:${hash.digest}`;
  const size = file.size === null ? '' : ` size:${file.size}`;
  const time = file.uploadTime === null ? '' : ` uploaded:${file.uploadTime}`;
  return `url:${file.url}${size}${time}`;
}
