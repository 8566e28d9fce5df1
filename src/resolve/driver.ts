// Drives the core's sans-IO solver: ask it what it needs, fetch all of it
// concurrently through the index client, feed the answers back in one call,
// until it returns a resolution or a conflict.

import { normalizeName as normalize, versionOf } from '../index/names.js';
import { FileFilter } from '../index/file-filter.js';
import { digestsOf, keptParts, type KeptParts } from '../index/simple.js';
import type { DistFile, ProjectOptions, ProjectPage } from '../index/types.js';
import { callNative, type PageReaderHandle } from '../native.js';
import { ZephyrError } from '../ui/errors.js';
import { log } from '../ui/log.js';
import { closest } from '../ui/suggest.js';
import type { MetadataNeed, ResolvedPackage, RootEdge, SolverFeed, SolverFile, SolverOptions, SolverStep } from './protocol.js';

/** What the driver needs from an index client. */
export interface PackageSource {
  /** With `options.keep`, a source may leave the files it rejects out of `files` (listing them in `dropped`). */
  getProject(name: string, options?: ProjectOptions): Promise<ProjectPage | null>;
  getMetadata(file: DistFile): Promise<string>;
  download(file: DistFile): Promise<string>;
  listProjectNames(): Promise<string[]>;
  /** An sdist's metadata, built when it is not static (src/build/source.ts); without it, only static metadata is read. */
  sdistMetadata?(file: DistFile): Promise<string>;
}

export interface Resolution {
  packages: ResolvedPackage[];
  /** The usable files (sdists and wheels for the target) of each chosen version. */
  files: Map<string, DistFile[]>;
  /** SHA-256 of every file of each chosen version, whatever its platform (`--generate-hashes`). */
  hashes: Map<string, string[]>;
  /** Round trips to the solver (for -v output and benchmarks). */
  rounds: number;
  /** Every file (all platforms in universal mode) of each chosen version, keyed `name==version`. */
  versionFiles: Map<string, DistFile[]>;
  /** Universal mode: edges from each root requirement (by index), and the forks' markers. */
  root: RootEdge[];
  forks: string[];
}

/** The key of `Resolution.versionFiles`. */
export const versionKey = (name: string, version: string): string => `${name}==${version}`;

const isSdist = (filename: string): boolean => /\.(tar\.gz|zip|tar\.bz2|tgz)$/i.test(filename);

function toSolverFile(f: DistFile): SolverFile {
  return { filename: f.filename, url: f.url, requiresPython: f.requiresPython, yanked: f.yanked, uploadTime: f.uploadTime };
}

type ProjectAnswer = NonNullable<SolverFeed['projects']>[number];
type MetadataAnswer = NonNullable<SolverFeed['metadata']>[number];

/**
 * Fetches run ahead of the solver: every need starts at once (the HTTP layer
 * bounds concurrency), and the solver is stepped again as soon as any answer
 * is in, rather than when the slowest of a batch is. The solver asks again
 * for what is still in flight; those requests are not repeated.
 */
class Fetcher {
  private readonly inflight = new Set<string>();
  private projects: ProjectAnswer[] = [];
  private metadata: MetadataAnswer[] = [];
  private failure: unknown;
  private wake: (() => void) | undefined;
  /**
   * Per project: its usable files, or null when no index has it. Whole pages are not kept; the
   * files of a page the native reader keeps for the solver stay there (see `solverPages`).
   */
  readonly usable = new Map<string, DistFile[] | null>();
  /** Per project whose files the native reader keeps: the page's number. */
  readonly solverPages = new Map<string, number>();
  /** Per project and version: the SHA-256 of every file (all platforms), packed (see digestsOf). */
  readonly hashes = new Map<string, Map<string, string>>();

  constructor(
    private readonly source: PackageSource,
    /** Sdists, and wheels that can be installed on the target (every file in universal mode). */
    private readonly filter: FileFilter,
    /** The filter's native reader (made `forSolver`). */
    private readonly reader: PageReaderHandle,
  ) {}

  /**
   * Parts of several projects' kept pages, in one call: the files at the given URLs, and the
   * files and digests of the given versions, per request.
   */
  kept(requests: { name: string; urls?: string[]; versions?: string[] }[]): KeptParts[] {
    return keptParts(this.reader, requests.map((r) => ({ page: this.solverPages.get(r.name), urls: r.urls ?? [], versions: r.versions ?? [] })));
  }

  private keep(project: string, page: ProjectPage | null): DistFile[] | null {
    if (page === null) return null;
    this.hashes.set(project, page.versionHashes);
    if (page.solverPage !== undefined) this.solverPages.set(project, page.solverPage);
    // A source may ignore the filter (and give every file): what it kept is checked again,
    // unless the native reader applied it.
    return page.solverPage !== undefined ? page.files : page.files.filter((f) => this.filter.keeps(f.filename));
  }

  get busy(): boolean {
    return this.inflight.size > 0;
  }

  request(projects: string[], metadata: MetadataNeed[]): number {
    let started = 0;
    for (const name of projects) {
      const key = `p:${normalize(name)}`;
      if (this.inflight.has(key)) continue;
      started++;
      this.track(key, this.source.getProject(name, { keep: this.filter }).then((page) => {
        const files = this.keep(normalize(name), page);
        this.usable.set(normalize(name), files);
        // Files that the native reader holds for the solver go by number, not as JSON.
        const solverPage = page?.solverPage;
        this.projects.push(solverPage !== undefined ? { name, found: true, files: [], page: solverPage } : { name, found: files !== null, files: (files ?? []).map(toSolverFile) });
      }));
    }
    const fresh = [...new Map(metadata.filter((need) => !this.inflight.has(`m:${need.url}`)).map((need) => [need.url, need])).values()];
    // The solver names files it was given: from the native reader (one call for all of them), or the project's list.
    const kept = fresh.filter((need) => this.solverPages.has(normalize(need.name)));
    const fromReader = this.kept(kept.map((need) => ({ name: normalize(need.name), urls: [need.url] })));
    const keptFile = new Map(kept.map((need, i) => [need.url, fromReader[i]?.files[0]]));
    for (const need of fresh) {
      const key = `m:${need.url}`;
      started++;
      const file = keptFile.get(need.url) ?? this.usable.get(normalize(need.name))?.find((f) => f.url === need.url);
      this.track(key, fetchMetadata(need, this.source, file).then((answer) => {
        this.metadata.push(answer);
      }));
    }
    return started;
  }

  private track(key: string, work: Promise<void>): void {
    this.inflight.add(key);
    work
      .catch((err: unknown) => {
        this.failure ??= err;
      })
      .finally(() => {
        this.inflight.delete(key);
        this.wake?.();
      });
  }

  /** Waits until at least one answer is in (or a fetch failed), then hands over all that are. */
  async answers(): Promise<SolverFeed> {
    if (this.projects.length === 0 && this.metadata.length === 0 && this.failure === undefined && this.busy) {
      await new Promise<void>((resolveWait) => (this.wake = resolveWait));
      this.wake = undefined;
      // Answers that land in the same turn of the event loop go in the same feed.
      await new Promise<void>((resolveTick) => setImmediate(resolveTick));
    }
    if (this.failure !== undefined) throw this.failure;
    const feed: SolverFeed = { projects: this.projects, metadata: this.metadata };
    this.projects = [];
    this.metadata = [];
    return feed;
  }
}

export async function resolve(options: SolverOptions, source: PackageSource): Promise<Resolution> {
  const { native } = await import('../native.js');
  const core = native();
  const solver = await callNative(() => new core.NativeResolver(JSON.stringify(options)));
  // Wheels that cannot be installed on the target are dropped before the solver sees them:
  // on big projects (thousands of files) that is most of the page, and most of the memory.
  const filter = new FileFilter(options.universal === true ? null : await callNative(() => core.compatibleTags(JSON.stringify(options.tags))), true);
  const pages = await filter.pageReader();
  const fetcher = new Fetcher(source, filter, pages);
  let feed: SolverFeed = {};
  let rounds = 0;
  for (;;) {
    rounds++;
    const text = await callNative(() => solver.step(JSON.stringify(feed), pages));
    const step = JSON.parse(text) as SolverStep;
    if (step.kind === 'resolved') {
      log.debug(`resolved ${step.packages.length} packages in ${rounds} solver rounds`);
      const files = new Map<string, DistFile[]>();
      const hashes = new Map<string, string[]>();
      const versionFiles = new Map<string, DistFile[]>();
      // The chosen versions' files and digests: from the native reader in one call, or the projects' lists.
      const keptPackages = step.packages.filter((p) => fetcher.solverPages.has(p.name));
      const parts = fetcher.kept(keptPackages.map((p) => ({ name: p.name, versions: [p.version] })));
      const keptOwn = new Map(keptPackages.map((p, i) => [versionKey(p.name, p.version), parts[i]]));
      for (const p of step.packages) {
        const fromReader = keptOwn.get(versionKey(p.name, p.version));
        const own = fromReader?.files ?? (fetcher.usable.get(p.name) ?? []).filter((f) => (f.version ?? versionOf(f.filename, p.name)) === p.version);
        versionFiles.set(versionKey(p.name, p.version), own);
        const packed = fromReader !== undefined ? fromReader.versions[p.version] : fetcher.hashes.get(p.name)?.get(p.version);
        const sha = [...new Set(digestsOf(packed))].sort();
        // Several versions of one name (universal forks): the by-name maps hold all of them.
        files.set(p.name, [...(files.get(p.name) ?? []), ...own]);
        hashes.set(p.name, [...new Set([...(hashes.get(p.name) ?? []), ...sha])].sort());
      }
      return { packages: step.packages, files, hashes, rounds, versionFiles, root: step.root ?? [], forks: step.forks ?? [] };
    }
    if (step.kind === 'conflict') throw await conflictError(step, fetcher.usable, source);
    const started = fetcher.request(step.projects, step.metadata);
    log.debug(`solver round ${rounds}: needs ${step.projects.length} projects and ${step.metadata.length} metadata; ${started} new requests`);
    if (!fetcher.busy) throw new Error('the solver asked for nothing new and did not finish');
    feed = await fetcher.answers();
  }
}

async function fetchMetadata(
  need: MetadataNeed,
  source: PackageSource,
  file: DistFile | undefined,
): Promise<MetadataAnswer> {
  if (!file) return { name: need.name, version: need.version, error: `${need.filename} is not on the index page` };
  try {
    if (!isSdist(file.filename)) return { name: need.name, version: need.version, metadata: await source.getMetadata(file) };
    if (source.sdistMetadata) return { name: need.name, version: need.version, metadata: await source.sdistMetadata(file) };
    const path = await source.download(file);
    const [text] = await callNative((n) => n.readSdistMetadata([path]));
    if (typeof text === 'string') return { name: need.name, version: need.version, metadata: text };
    return {
      name: need.name,
      version: need.version,
      error: `${file.filename} declares its dependencies as dynamic, so it would have to be built, and this resolution cannot build`,
    };
  } catch (err) {
    // Network, offline, credential and hash failures are the user's to see; only a broken
    // distribution makes that one version unusable and lets the solver try another.
    if (err instanceof ZephyrError && err.code !== 'ZE_WHEEL_INVALID') throw err;
    return { name: need.name, version: need.version, error: err instanceof Error ? err.message : String(err) };
  }
}

async function conflictError(step: Extract<SolverStep, { kind: 'conflict' }>, pages: ReadonlyMap<string, DistFile[] | null>, source: PackageSource): Promise<ZephyrError> {
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
