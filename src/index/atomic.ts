// Atomic file publication: write a temporary file beside the target, then rename.

import { randomBytes } from 'node:crypto';
import { access, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** A unique temporary path in the same folder as `path` (so a rename is atomic). */
export function tempPathFor(path: string): string {
  return `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
}

/**
 * Rename `temp` onto `path`. Where the platform refuses to replace a file that
 * another process just published (Windows), that file is as good as ours.
 */
export async function publish(temp: string, path: string): Promise<void> {
  try {
    await rename(temp, path);
  } catch (error) {
    const published = await access(path).then(() => true, () => false);
    await rm(temp, { force: true });
    if (!published) throw error;
  }
}

export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = tempPathFor(path);
  try {
    await writeFile(temp, data);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await publish(temp, path);
}
