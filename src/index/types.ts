// The public shapes of the index client: options, files and project pages.

import type { FileFilter } from './file-filter.js';

export type IndexStrategy = 'first-index' | 'unsafe-first-match' | 'unsafe-best-match';

export interface IndexClientOptions {
  /** [primary, ...extra]: simple-API roots such as `http://127.0.0.1:8080/simple`, or `file://` folders laid out as one. */
  indexUrls: string[];
  /** Folders, `file://` URLs or HTML pages with links to distributions. */
  findLinks?: string[];
  /** Default `first-index`: the first index that has the project wins (dependency-confusion defence). */
  indexStrategy?: IndexStrategy;
  /** Never touch the network: cached responses only; a miss is a ZephyrError. */
  offline?: boolean;
  /** Global cache root; HTTP responses live under `<cacheDir>/http-v1/`. */
  cacheDir: string;
  /** Max parallel requests (default 50). */
  concurrency?: number;
  /** Hosts (`host` or `host:port`) allowed over plain http, and over https without certificate checks. */
  allowInsecureHosts?: string[];
  /** A netrc file (default `$NETRC`, else `~/.netrc`); `null` reads none. */
  netrcPath?: string | null;
  /** Retries after the first try, for connection errors, dropped bodies and 5xx (default 3). */
  retries?: number;
  /** Base delay of the exponential backoff, in ms (default 100). */
  retryBaseDelayMs?: number;
}

export interface DistFile {
  filename: string;
  /** The version in the filename, normalized (PEP 440), when the native page reader read it. */
  version?: string;
  /** Absolute URL, without credentials. */
  url: string;
  /** Algorithm → hex digest. */
  hashes: Record<string, string>;
  requiresPython: string | null;
  yanked: boolean;
  yankedReason: string | null;
  /** Milliseconds since the epoch. */
  uploadTime: number | null;
  size: number | null;
  /** PEP 658/714: `<url>.metadata` is served. */
  hasMetadata: boolean;
  metadataHashes: Record<string, string> | null;
  /** The index (or find-links location) the file came from, without credentials. */
  index: string;
}

export interface ProjectPage {
  /** Normalized (PEP 503). */
  name: string;
  /** Every file, or with a `keep` filter (see ProjectOptions) the files it kept. */
  files: DistFile[];
  /**
   * Every version on the page (also of the files the filter left out) → the SHA-256 digests of
   * all its files, as one string of 64-character hex digests (see `digestsOf`).
   */
  versionHashes: Map<string, string>;
  /**
   * With a `keep` filter made `forSolver`, for one JSON page: the number under which the
   * native reader holds its files and its versions' digests for the solver. `files` and
   * `versionHashes` are then empty; the reader gives the ones needed (`PageReaderHandle.files`).
   */
  solverPage?: number;
  /** The index that answered (the first one when several contributed), without credentials. */
  index: string;
}

export interface ProjectOptions {
  /**
   * Which files are wanted in full. The others are not turned into DistFiles: on big
   * pages (thousands of wheels for other platforms) that is most of the work and memory.
   */
  keep?: FileFilter;
}

export interface IndexStats {
  /** Requests sent over the network (retries and redirects included). */
  requests: number;
  /** Answers served from the cache without a request. */
  cacheHits: number;
  /** Conditional requests answered 304. */
  revalidated: number;
}
