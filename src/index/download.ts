// Downloads into the cache: streamed to a temporary file while hashing, then
// renamed into place. A hash mismatch is retried once from the network.

import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { access, mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { ZephyrError } from '../ui/errors.js';
import { log } from '../ui/log.js';
import { publish, tempPathFor } from './atomic.js';
import { offlineMiss } from './cached-get.js';
import { assertPlainFilename } from './dist-file.js';
import { contentKey, digestOfFile, pickHash } from './hashes.js';
import type { HttpClient } from './http.js';
import { HttpCache } from './http-cache.js';
import type { DistFile } from './types.js';
import { redact } from './url.js';

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

export function hashMismatch(file: DistFile, algorithm: string, expected: string, actual: string): ZephyrError {
  return new ZephyrError(
    'ZE_HASH_MISMATCH',
    `Hash mismatch for ${file.filename} from ${redact(file.url)}: expected ${algorithm}:${expected}, got ${algorithm}:${actual}.`,
    'The index served other bytes than it announced. Try again; if it persists, the index or a proxy between is serving a corrupt or tampered file.',
  );
}

export class Downloader {
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(
    private readonly http: HttpClient,
    private readonly cacheDir: string,
    private readonly offline: boolean,
  ) {}

  /** Where `file` lives once downloaded: keyed by its announced content (see contentKey), never by its name. */
  pathFor(file: DistFile): string {
    assertPlainFilename(file.filename, file.url);
    const key = HttpCache.key(contentKey(file));
    return join(this.cacheDir, 'http-v1', 'files', key.slice(0, 2), key, file.filename);
  }

  /** The local path of `file` if it needs no download (a file: URL, or already in the cache). */
  async localPath(file: DistFile): Promise<string | null> {
    if (file.url.startsWith('file:')) return fileURLToPath(file.url);
    const path = this.pathFor(file);
    return (await exists(path)) ? path : null;
  }

  async download(file: DistFile, onBytes?: (bytes: number) => void): Promise<string> {
    if (file.url.startsWith('file:')) return this.verifyLocal(file);
    const dest = this.pathFor(file);
    const running = this.inFlight.get(dest);
    if (running) return running;
    const task = this.fetchInto(file, dest, onBytes).finally(() => this.inFlight.delete(dest));
    this.inFlight.set(dest, task);
    return task;
  }

  private async verifyLocal(file: DistFile): Promise<string> {
    const path = fileURLToPath(file.url);
    if (!(await exists(path))) {
      throw new ZephyrError('ZE_FILE_MISSING', `${file.filename} is listed by ${redact(file.index)} but ${path} does not exist.`);
    }
    const hash = pickHash(file.hashes);
    if (hash !== null) {
      const actual = await digestOfFile(hash.algorithm, path);
      if (actual !== hash.digest) throw hashMismatch(file, hash.algorithm, hash.digest, actual);
    }
    return path;
  }

  private async fetchInto(file: DistFile, dest: string, onBytes?: (bytes: number) => void): Promise<string> {
    if (await exists(dest)) {
      this.http.stats.cacheHits++;
      log.debug(`${redact(file.url)} (downloaded before: ${dest})`);
      return dest;
    }
    if (this.offline) throw offlineMiss(file.url, `the file ${file.filename}`);
    const hash = pickHash(file.hashes);
    await mkdir(dirname(dest), { recursive: true });
    let actual = '';
    for (let attempt = 0; attempt < 2; attempt++) {
      const temp = tempPathFor(dest);
      actual = await this.streamTo(file, temp, hash?.algorithm ?? 'sha256', onBytes);
      if (hash === null || actual === hash.digest) {
        await publish(temp, dest);
        return dest;
      }
      await rm(temp, { force: true });
      log.debug(`${file.filename}: ${hash.algorithm} mismatch (expected ${hash.digest}, got ${actual})${attempt === 0 ? '; downloading again' : ''}`);
    }
    if (hash === null) throw new Error('unreachable');
    throw hashMismatch(file, hash.algorithm, hash.digest, actual);
  }

  /** GET into `temp`, returning the hex digest of what was written. */
  private async streamTo(file: DistFile, temp: string, algorithm: string, onBytes?: (bytes: number) => void): Promise<string> {
    const url = new URL(file.url);
    return this.http.fetch(url, { note: 'download' }, async (response) => {
      if (response.status !== 200) {
        throw new ZephyrError(
          'ZE_HTTP',
          `Downloading ${file.filename} from ${redact(url)} failed: HTTP ${response.status}.`,
          response.status === 404 ? 'The index lists a file it does not serve; try again later or report it to the index.' : undefined,
        );
      }
      const hash = createHash(algorithm);
      const hashing = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          hash.update(chunk);
          onBytes?.(chunk.length);
          callback(null, chunk);
        },
      });
      try {
        await pipeline(response.body, hashing, createWriteStream(temp));
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
      return hash.digest('hex');
    });
  }
}
