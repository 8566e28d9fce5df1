// The JSON protocol of the core's sans-IO solver (NativeResolver): options in,
// then step(feed) → need | resolved | conflict until done. One call per batch.

import type { MarkerEnvironment } from '../python/interpreter.js';
import type { TagDescriptor } from './target.js';

export type PrereleaseMode = 'disallow' | 'allow' | 'if-necessary' | 'explicit' | 'if-necessary-or-explicit';
export type ResolutionMode = 'highest' | 'lowest' | 'lowest-direct';

export interface SolverOptions {
  requirements: string[];
  constraints: string[];
  overrides: string[];
  markerEnvironment: MarkerEnvironment;
  tags: TagDescriptor;
  pythonVersion: string;
  prerelease: PrereleaseMode;
  resolution: ResolutionMode;
  preferences: { name: string; version: string }[];
  upgradeAll: boolean;
  upgradePackages: string[];
  noBinary: string[];
  onlyBinary: string[];
  noBuild: string[];
  /** Milliseconds since the epoch; files uploaded later are ignored. */
  excludeNewer: number | null;
}

export interface SolverFile {
  filename: string;
  url: string;
  requiresPython: string | null;
  yanked: boolean;
  uploadTime: number | null;
}

export interface SolverFeed {
  projects?: { name: string; found: boolean; files: SolverFile[] }[];
  metadata?: ({ name: string; version: string; metadata: string } | { name: string; version: string; error: string })[];
}

export interface MetadataNeed {
  name: string;
  version: string;
  filename: string;
  url: string;
}

export interface ResolvedPackage {
  name: string;
  version: string;
  filename: string;
  url: string;
  extras: string[];
  dependencies: string[];
  requestedByRoot: boolean;
}

export type SolverStep =
  | { kind: 'need'; projects: string[]; metadata: MetadataNeed[] }
  | { kind: 'resolved'; packages: ResolvedPackage[] }
  | { kind: 'conflict'; message: string; packages: string[]; hints: string[] };
