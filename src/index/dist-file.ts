// A DistFile for a file known only by name and URL (a local folder, a recorded
// origin): everything an index page would add is absent.

import type { DistFile } from './types.js';

export function plainDistFile(fields: Pick<DistFile, 'filename' | 'url' | 'index'> & Partial<DistFile>): DistFile {
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
