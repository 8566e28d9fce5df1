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
  /**
   * Universal resolution: for every platform and every Python of `requiresPython` (its lower
   * bound is checked against packages' Requires-Python; tags are ignored, markers are kept and
   * the resolution forks where requirements under different markers need different versions).
   */
  universal?: boolean;
  requiresPython?: string | null;
}

export interface SolverFile {
  filename: string;
  url: string;
  requiresPython: string | null;
  yanked: boolean;
  uploadTime: number | null;
}

export interface SolverFeed {
  /** Each project's files as JSON, or by the number under which the native page reader holds them. */
  projects?: { name: string; found: boolean; files: SolverFile[]; page?: number }[];
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
  /** Universal mode: where this version is installed (absent: everywhere). */
  marker?: string;
  /** Universal mode: the base package's dependency edges. */
  edges?: DependencyEdge[];
  /** Universal mode: the edges each activated extra adds. */
  extraEdges?: Record<string, DependencyEdge[]>;
}

/** A dependency edge of a universal resolution: the version it leads to and its marker. */
export interface DependencyEdge {
  name: string;
  version: string;
  extras?: string[];
  marker?: string;
}

/** An edge from the root requirement at `index`. */
export interface RootEdge extends DependencyEdge {
  index: number;
}

export type SolverStep =
  | { kind: 'need'; projects: string[]; metadata: MetadataNeed[] }
  | { kind: 'resolved'; packages: ResolvedPackage[]; root?: RootEdge[]; forks?: string[] }
  | { kind: 'conflict'; message: string; packages: string[]; hints: string[] };
