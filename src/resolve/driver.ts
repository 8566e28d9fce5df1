// Drives the core's sans-IO solver: ask it what it needs, fetch all of it
// concurrently through the index client, feed the answers back in one call,
// until it returns a resolution or a conflict.

import type { DistFile, ProjectPage } from '../index/types.js';
import { callNative } from '../native.js';
import { ZephyrError } from '../ui/errors.js';
import { log } from '../ui/log.js';
import { closest } from '../ui/suggest.js';
import type { MetadataNeed, ResolvedPackage, SolverFeed, SolverFile, SolverOptions, SolverStep } from './protocol.js';

/** What the driver needs from an index client. */
export interface PackageSource {
  getProjects(names: string[]): Promise<Map<string, ProjectPage | null>>;
  getMetadata(file: DistFile): Promise<string>;
  download(file: DistFile): Promise<string>;
  listProjectNames(): Promise<string[]>;
}

export interface Resolution {
  packages: ResolvedPackage[];
  /** Every file of each chosen version (for `--generate-hashes` and locks). */
  files: Map<string, DistFile[]>;
  /** Round trips to the solver (for -v output and benchmarks). */
  rounds: number;
}

const isSdist = (filename: string): boolean => /\.(tar\.gz|zip|tar\.bz2|tgz)$/i.test(filename);
const normalize = (name: string): string => name.toLowerCase().replace(/[-_.]+/g, '-');

function toSolverFile(f: DistFile): SolverFile {
  return { filename: f.filename, url: f.url, requiresPython: f.requiresPython, yanked: f.yanked, uploadTime: f.uploadTime };
}

export async function resolve(options: SolverOptions, source: PackageSource): Promise<Resolution> {
  const { native } = await import('../native.js');
  const core = native();
  const solver = await callNative(() => new core.NativeResolver(JSON.stringify(options)));
  const pages = new Map<string, ProjectPage | null>();
  const fileByUrl = new Map<string, DistFile>();
  let feed: SolverFeed = {};
  let rounds = 0;
  for (;;) {
    rounds++;
    const text = await callNative(() => solver.step(JSON.stringify(feed)));
    const step = JSON.parse(text) as SolverStep;
    if (step.kind === 'resolved') {
      log.debug(`resolved ${step.packages.length} packages in ${rounds} solver rounds`);
      const files = new Map<string, DistFile[]>();
      for (const p of step.packages) {
        const page = pages.get(p.name);
        files.set(p.name, (page?.files ?? []).filter((f) => versionOfFile(f, p.name) === p.version));
      }
      return { packages: step.packages, files, rounds };
    }
    if (step.kind === 'conflict') throw await conflictError(step, pages, source);
    if (step.projects.length === 0 && step.metadata.length === 0) {
      throw new Error('the solver asked for nothing and did not finish');
    }
    log.debug(`solver round ${rounds}: ${step.projects.length} projects, ${step.metadata.length} metadata`);
    feed = await fetchNeeds(step.projects, step.metadata, source, pages, fileByUrl);
  }
}

async function fetchNeeds(
  projects: string[],
  metadata: MetadataNeed[],
  source: PackageSource,
  pages: Map<string, ProjectPage | null>,
  fileByUrl: Map<string, DistFile>,
): Promise<SolverFeed> {
  const [fetched, metas] = await Promise.all([
    projects.length > 0 ? source.getProjects(projects) : Promise.resolve(new Map<string, ProjectPage | null>()),
    Promise.all(metadata.map((need) => fetchMetadata(need, source, fileByUrl))),
  ]);
  const feedProjects: NonNullable<SolverFeed['projects']> = [];
  for (const name of projects) {
    const page = fetched.get(name) ?? null;
    pages.set(normalize(name), page);
    for (const f of page?.files ?? []) fileByUrl.set(f.url, f);
    feedProjects.push({ name, found: page !== null, files: (page?.files ?? []).map(toSolverFile) });
  }
  return { projects: feedProjects, metadata: metas };
}

async function fetchMetadata(
  need: MetadataNeed,
  source: PackageSource,
  fileByUrl: Map<string, DistFile>,
): Promise<NonNullable<SolverFeed['metadata']>[number]> {
  const file = fileByUrl.get(need.url);
  if (!file) return { name: need.name, version: need.version, error: `${need.filename} is not on the index page` };
  try {
    if (!isSdist(file.filename)) return { name: need.name, version: need.version, metadata: await source.getMetadata(file) };
    const path = await source.download(file);
    const [text] = await callNative((n) => n.readSdistMetadata([path]));
    if (typeof text === 'string') return { name: need.name, version: need.version, metadata: text };
    return {
      name: need.name,
      version: need.version,
      error: `${file.filename} declares its dependencies as dynamic, so it would have to be built, and building source distributions is not supported yet`,
    };
  } catch (err) {
    // Network, offline, credential and hash failures are the user's to see; only a broken
    // distribution makes that one version unusable and lets the solver try another.
    if (err instanceof ZephyrError && err.code !== 'ZE_WHEEL_INVALID') throw err;
    return { name: need.name, version: need.version, error: err instanceof Error ? err.message : String(err) };
  }
}

function versionOfFile(file: DistFile, project: string): string | null {
  const base = file.filename.replace(/\.(whl|tar\.gz|zip|tar\.bz2|tgz)$/i, '');
  if (file.filename.endsWith('.whl')) {
    const v = base.split('-')[1];
    return v === undefined ? null : v.replace(/_/g, '-');
  }
  const prefix = base.slice(0, project.length);
  if (normalize(prefix) === project && base[project.length] === '-') return base.slice(project.length + 1);
  const i = base.lastIndexOf('-');
  return i < 0 ? null : base.slice(i + 1);
}

async function conflictError(step: Extract<SolverStep, { kind: 'conflict' }>, pages: Map<string, ProjectPage | null>, source: PackageSource): Promise<ZephyrError> {
  let hints = [...step.hints];
  const missing = [...pages].filter(([, page]) => page === null).map(([name]) => name);
  if (missing.length > 0) {
    let known: string[] = [];
    try {
      known = await source.listProjectNames();
    } catch (err) {
      log.debug(`could not list the index's projects for suggestions: ${String(err)}`);
    }
    for (const name of missing) {
      const close = closest(name, known.map(normalize));
      if (close.length === 0) continue;
      hints = hints.filter((h) => !h.startsWith(`${name} was not found`));
      hints.push(`${name} was not found in the package index; did you mean ${close.join(' or ')}?`);
    }
  }
  return new ZephyrError('ZE_NO_SOLUTION', `no solution found when resolving dependencies:\n${step.message}`, hints.join('\n') || undefined);
}
