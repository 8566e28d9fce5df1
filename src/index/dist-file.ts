// A DistFile for a file known only by name and URL (a local folder, a recorded
// origin): everything an index page would add is absent.

import { ZephyrError } from '../ui/errors.js';
import type { DistFile } from './types.js';
import { redact } from './url.js';

/**
 * Whether `filename` is one plain file name: it becomes the last part of a
 * path in the cache, so a name with a separator, a NUL, `.` or `..` (from a
 * percent-decoded URL or a hostile index page) would lead outside it.
 */
export function isPlainFilename(filename: string): boolean {
  return filename !== '' && filename !== '.' && filename !== '..' && !/[/\\\0]/.test(filename);
}

/** Throws (ZE_BAD_FILENAME) unless `filename`, from `url`, is a plain file name (see isPlainFilename). */
export function assertPlainFilename(filename: string, url: string): void {
  if (!isPlainFilename(filename)) {
    throw new ZephyrError(
      'ZE_BAD_FILENAME',
      `refusing the file name ${JSON.stringify(filename)} of ${redact(url)}: a distribution's file name cannot be empty, \`.\`, \`..\` or hold \`/\`, \`\\\` or NUL`,
      'the URL (or the index page naming it) is malformed or hostile; check where it comes from',
    );
  }
}

export function plainDistFile(fields: Pick<DistFile, 'filename' | 'url' | 'index'> & Partial<DistFile>): DistFile {
  assertPlainFilename(fields.filename, fields.url);
  return {
    hashes: {},
    requiresPython: null,
    yanked: false,
    yankedReason: null,
    uploadTime: null,
    size: null,
    hasMetadata: false,
    metadataHashes: null,
    ...fields,
  };
}
