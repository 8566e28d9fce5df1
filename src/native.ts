// The only module that loads the native core (the napi-rs `.node` file) and
// gives it types. Everything else imports from here. Loading is lazy so that
// commands which never need the core (e.g. `--version`) do not pay for it.

import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ZephyrError } from './ui/errors.js';

export interface NativeCore {
  coreVersion(): string;
  /** SHA-256 (hex) of each file, in order. */
  sha256Files(paths: string[]): Promise<string[]>;
  /** Bytes of one member of a zip archive. */
  readZipMember(archive: string, member: string): Promise<Buffer>;
  /**
   * Unpack sdists (.tar.gz/.zip) into build folders, refusing absolute paths, `..`, links that
   * point outside and special files; resolves to each source tree (the single top folder, else
   * `dest`). Errors: `ZE_UNSAFE_ARCHIVE`, `ZE_BAD_ARCHIVE`, `ZE_IO`.
   */
  unpackSdists(items: { archive: string; dest: string }[]): Promise<string[]>;
  /**
   * Reads PEP 691 JSON project pages off the event loop. Constructed with the target's compatible
   * wheel tags (`py-abi-plat`), it keeps sdists and the wheels with one of them; without tags, every file.
   * A reader `forSolver` also keeps each page's files for the solver, under the digest's `page`
   * number, until `NativeResolverHandle.step` takes them.
   */
  PageReader: new (tags: string[] | null, forSolver: boolean) => PageReaderHandle;
  // --- resolver bindings (begin)
  /**
   * The sans-IO PubGrub solver. The constructor takes `SolverOptions` as JSON and throws
   * `ZE_BAD_REQUIREMENT: …` (with a caret line) for a malformed requirement, constraint or
   * override, `ZE_BAD_OPTIONS: …` for other bad options.
   */
  NativeResolver: new (optionsJson: string) => NativeResolverHandle;
  /** Ordered compatible tags (`py-abi-plat`, best first) of a target descriptor (JSON). */
  compatibleTags(descriptorJson: string): string[];
  /**
   * A uv-style `--python-platform` value as JSON (`PlatformTarget` in src/resolve/target.ts); throws
   * `ZE_BAD_PLATFORM: …` listing the accepted values.
   */
  platformTarget(pythonPlatform: string): string;
  /** For each line: `""` if it is a valid PEP 508 requirement, else the error with a caret line. */
  checkRequirements(lines: string[]): string[];
  /** PKG-INFO text of each sdist (.tar.gz/.zip) when it is static metadata per PEP 643, else null. */
  readSdistMetadata(paths: string[]): Promise<(string | null)[]>;
  /**
   * For each PEP 508 marker (extras already settled, as in zephyr.lock): whether it holds in the
   * marker environment (JSON object of marker variables). Throws `ZE_BAD_REQUIREMENT: …` for a bad marker.
   */
  evaluateMarkers(markers: string[], environmentJson: string): boolean[];
  // --- resolver bindings (end)
  // --- install bindings (begin)
  /**
   * Unpack wheels into cache folders: extract into a temp sibling of `dest`, verify every member
   * against RECORD, refuse unsafe paths / symlinks / zip bombs, then rename atomically. An existing
   * `dest` was published before and is reused. Resolves to JSON `UnpackedWheel[]`.
   * Errors: `ZE_UNSAFE_WHEEL`, `ZE_RECORD_MISMATCH`, `ZE_BAD_WHEEL`, `ZE_BAD_ARCHIVE`, `ZE_IO`.
   */
  unpackWheels(items: UnpackWheelItem[]): Promise<string>;
  /**
   * Apply an `InstallRequest` (JSON): remove, then install, all journaled; on any error the
   * environment is rolled back and the error is thrown. Resolves to JSON `InstallReport`.
   * Errors: `ZE_INSTALL` (also: an unfinished journal exists), `ZE_BAD_WHEEL`, `ZE_BAD_OPTIONS`, `ZE_IO`.
   */
  applyInstallPlan(requestJson: string): Promise<string>;
  /** Roll back an unfinished install journal left by a killed process; true if there was one. */
  recoverJournal(path: string): Promise<boolean>;
  /** Installed distributions of site-packages folders: JSON `InstalledDistribution[]`. */
  readInstalled(sitePackages: string[]): Promise<string>;
  /**
   * Dependencies of installed distributions: JSON `{markerEnvironment, dists: [{name, version, requiresDist}]}`
   * in, JSON `DistDependencies[]` out (markers and asked-for extras evaluated, installed versions checked).
   * Errors: `ZE_BAD_OPTIONS`.
   */
  analyzeDependencies(requestJson: string): string;
  /**
   * JSON `{tags, pythonVersion, pre, projects: [{name, installed, files: [{filename, requiresPython, yanked}]}]}`
   * in, JSON `[{name, latest, kind: 'wheel'|'sdist'|null, outdated}]` out: the latest version of each project
   * that can be installed for the target. Errors: `ZE_BAD_OPTIONS`.
   */
  latestVersions(requestJson: string): string;
  // --- install bindings (end)
}

/** One JSON page being read natively, part by part. */
export interface PageStreamHandle {
  /** Reads the next parts of the body (each entry is read, and its bytes dropped, once complete). */
  push(chunks: Buffer[]): Promise<null>;
  /**
   * Reads the last parts → JSON `PageDigest` (src/index/simple.ts): the kept files, every
   * version's SHA-256 digests, the API version. Throws `ZE_INDEX_BAD_RESPONSE: …` naming the page.
   */
  finish(chunks: Buffer[]): Promise<string>;
}

/** A native reader of simple-API JSON pages (one filter, any number of pages). */
export interface PageReaderHandle {
  /**
   * A page to read as its body arrives: its parts go to `push` (one call at a time), the last
   * ones to `finish`. Throws `ZE_INDEX_BAD_RESPONSE: …` naming `shownUrl` for a URL that does not parse.
   */
  stream(pageUrl: string, shownUrl: string, index: string, project: string): PageStreamHandle;
  /**
   * A reader `forSolver` keeps each page's files and versions' digests (the digest lists none,
   * and names the page): for each request (JSON `[{page, urls?, versions?, all?}]`), the files
   * at `urls`, and the files and digests of `versions` (all with `all`), as JSON
   * `{files: DistFile[], versions: {[version]: digests}}[]`. Throws `ZE_BAD_OPTIONS: …` for a
   * page the reader did not keep.
   */
  files(requestsJson: string): string;
}

// resolver protocol types
/** An instance of the native solver: `step(feedJson)` → JSON `SolverStep` (src/resolve/protocol.ts). */
export interface NativeResolverHandle {
  /**
   * Feed fetched data (`{}` on the first call) and run; returns a `SolverStep` as JSON. Projects
   * fed with a `page` number take their files from `pages` (a reader made `forSolver`).
   */
  step(feedJson: string, pages?: PageReaderHandle): string;
}

/** napi-rs platform suffix for this process, e.g. `linux-x64-gnu`. */
export function platformTriple(): string {
  const { platform, arch } = process;
  if (platform === 'linux') return `linux-${arch}-${isMusl() ? 'musl' : 'gnu'}`;
  if (platform === 'win32') return `win32-${arch}-msvc`;
  return `${platform}-${arch}`;
}

function isMusl(): boolean {
  // `ldd` says which C library it belongs to; reading it costs far less than a process
  // report (several milliseconds), which decides only when ldd is missing or says neither.
  try {
    const ldd = readFileSync('/usr/bin/ldd', 'utf8');
    if (ldd.includes('musl')) return true;
    if (ldd.includes('GNU C Library') || ldd.includes('GLIBC')) return false;
  } catch {
    // no ldd: ask the process report
  }
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return !report?.header?.glibcVersionRuntime;
}

let loaded: NativeCore | undefined;

/** The native core, loaded on first use. */
export function native(): NativeCore {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  const triple = platformTriple();
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [
    process.env.ZEPHYR_NATIVE_PATH,
    // dist/cli.js (bundled) and src/native.ts (tests) both sit one level below the root.
    join(here, 'native', `zephyr.${triple}.node`),
    join(here, '..', 'dist', 'native', `zephyr.${triple}.node`),
  ].filter((p): p is string => typeof p === 'string' && p.length > 0);
  for (const file of candidates) {
    if (existsSync(file)) {
      loaded = require(file) as NativeCore;
      return loaded;
    }
  }
  try {
    // Published builds: the per-platform package from npm/ (napi-rs convention).
    loaded = require(`zephyr-${triple}`) as NativeCore;
    return loaded;
  } catch (cause) {
    throw new ZephyrError(
      'ZE_NATIVE_MISSING',
      `the native core for ${triple} could not be loaded`,
      'build it with `npm run build:native`, or install the package for your platform',
      { cause },
    );
  }
}

/** Calls the core and turns its `ZE_CODE: message` errors into ZephyrErrors. */
export async function callNative<T>(fn: (core: NativeCore) => Promise<T> | T): Promise<T> {
  try {
    return await fn(native());
  } catch (err) {
    throw nativeError(err);
  }
}

export function nativeError(err: unknown): unknown {
  if (err instanceof ZephyrError || !(err instanceof Error)) return err;
  const match = /^(ZE_[A-Z0-9_]+): ([\s\S]*)$/.exec(err.message);
  if (!match) return err;
  return new ZephyrError(match[1] ?? 'ZE_NATIVE', match[2] ?? err.message, undefined, { cause: err });
}

// install protocol types
/** A wheel file and the cache folder to unpack it into. */
export interface UnpackWheelItem {
  wheel: string;
  dest: string;
}

/** Result of `unpackWheels` per item. `distInfo` is the absolute `.dist-info` path inside `dest`. */
export interface UnpackedWheel {
  dest: string;
  name: string;
  version: string;
  distInfo: string;
}

export type LinkMode = 'clone' | 'hardlink' | 'copy' | 'symlink';

/** Absolute install scheme paths of the target environment. */
export interface InstallScheme {
  purelib: string;
  platlib: string;
  scripts: string;
  data: string;
  headers: string;
}

/** Input of `applyInstallPlan`. */
export interface InstallRequest {
  scheme: InstallScheme;
  /** Absolute interpreter path written into shebangs. */
  python: string;
  linkMode: LinkMode;
  /** Written to INSTALLER; defaults to `zephyr`. */
  installer?: string;
  /** Removed exactly as each RECORD lists (plus `__pycache__` of removed .py files). */
  remove: { name: string; distInfo: string }[];
  /** Unpacked cache folders; `directUrl` (PEP 610) is written verbatim (a string) or serialized (an object). */
  install: { unpacked: string; requested: boolean; directUrl?: string | Record<string, unknown> | null }[];
  /** Journal file; its backups go to `<journal>.backup/` (keep it on the environment's filesystem). */
  journal: string;
}

/** Output of `applyInstallPlan`. `linkMode` is the mode actually used (`copy` after a fallback). */
export interface InstallReport {
  installed: { name: string; version: string; files: number }[];
  removed: { name: string; files: number }[];
  warnings: string[];
  linkMode: LinkMode;
}

/** Output of `readInstalled` per distribution. */
export interface InstalledDistribution {
  name: string;
  version: string;
  distInfo: string;
  installer: string | null;
  requested: boolean;
  summary: string;
  homePage: string;
  author: string;
  authorEmail: string;
  license: string;
  /** `Label, URL` values of Project-URL. */
  projectUrls: string[];
  requiresDist: string[];
  providesExtra: string[];
}

/** One requirement of an installed distribution that applies in the environment. */
export interface AppliedRequirement {
  /** The Requires-Dist text. */
  requirement: string;
  /** Normalized name of the required distribution. */
  name: string;
  extras: string[];
  /** Version specifier, `""` when there is none. */
  specifier: string;
  url: string | null;
  /** The extra of the requiring distribution that brings it in (null: a base requirement). */
  extra: string | null;
  /** Installed version of the required distribution (null: not installed). */
  installed: string | null;
  satisfied: boolean;
}

/** Output of `analyzeDependencies` per distribution, in input order. */
export interface DistDependencies {
  name: string;
  version: string;
  /** Extras of this distribution that installed distributions ask for. */
  activeExtras: string[];
  requires: AppliedRequirement[];
  /** Requires-Dist lines that are not valid PEP 508. */
  invalid: string[];
}
