// The package index client (PEP 503/691/658/700/714): see client.ts.

export { IndexClient } from './client.js';
export type { DistFile, IndexClientOptions, IndexStats, IndexStrategy, ProjectOptions, ProjectPage } from './types.js';
export { redact } from './url.js';
export { normalizeName, parseDistFilename } from './names.js';
