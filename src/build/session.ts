// The PEP 517 frontend: one per command run. It unpacks sdists, prepares
// isolated build environments (zephyr's own resolver and installer put the
// build requirements into a temporary venv, reused within the run by the
// hash of the resolved set), runs the backend's hooks through the driver
// script, and keeps built wheels in the global cache, keyed by what was built
// and for which interpreter, so the same sdist is built once.

import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { AsyncLocalStorage } from 'node:async_hooks';
import { availableParallelism } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { Semaphore } from '../index/semaphore.js';
import { withFileReader } from '../index/local-file.js';
import { readWheelMetadata } from '../index/zip.js';
import { callNative } from '../native.js';
import type { Environment } from '../python/environment.js';
import type { Interpreter } from '../python/interpreter.js';
import { ZephyrError } from '../ui/errors.js';
import { log } from '../ui/log.js';
import { readBuildSystem, type BuildSystem } from './build-system.js';
import { interpreterKey, sha256Text } from './cache-keys.js';
import { buildHint } from './hints.js';
import { HookFailure, runHook, type HookOutcome } from './run-hook.js';

export interface BuildOptions {
  cacheDir: string;
  /** Build in an isolated environment (default); false builds with the target environment's packages. */
  isolation: boolean;
  /** Normalized names built without isolation even when `isolation` is on (`--no-build-isolation-package`). */
  noIsolation: ReadonlySet<string>;
  /** Keep the build environments and folders (their paths are logged). */
  keepBuildEnv: boolean;
  /** Passed to every hook as `config_settings`. */
  configSettings: Record<string, string | string[]>;
  /** Constraints (requirement lines) applied to build requirements. */
  buildConstraints: string[];
  /** `--no-build`: refuse to build anything. */
  noBuild: boolean;
}

/** Resolves build requirements and installs them into a build environment (see env-installer.ts). */
export interface BuildEnvInstaller {
  /** The pinned set for `requirements` (with the build constraints): `key` identifies it. */
  resolve(requirements: string[], constraints: string[]): Promise<{ key: string; install(env: Environment): Promise<void> }>;
}

/** What is built, for messages and log names: `name 1.0 (name-1.0.tar.gz)`. */
export interface BuildLabel {
  name: string;
  what: string;
}

interface Prepared {
  python: string;
  env: Record<string, string>;
}

/** Parses `-C KEY=VALUE` options; a key given twice becomes a list. */
export function parseConfigSettings(items: readonly string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const item of items) {
    const at = item.indexOf('=');
    if (at <= 0) throw new ZephyrError('ZE_USAGE', `--config-settings \`${item}\` is not KEY=VALUE`, 'e.g. -C editable_mode=compat');
    const key = item.slice(0, at);
    const value = item.slice(at + 1);
    const have = out[key];
    out[key] = have === undefined ? value : Array.isArray(have) ? [...have, value] : [have, value];
  }
  return out;
}

/** In a run folder kept with --keep-build-env: later runs leave it alone. */
const KEPT_MARKER = '.zephyr-kept';

/** Removes build folders of zephyr processes that are gone (killed before their cleanup). */
function removeAbandoned(base: string): void {
  for (const entry of readdirSync(base)) {
    const pid = Number(/^run-(\d+)-/.exec(entry)?.[1]);
    if (!Number.isInteger(pid) || pid === process.pid || existsSync(join(base, entry, KEPT_MARKER))) continue;
    try {
      process.kill(pid, 0);
      continue; // still running (or not ours to signal): leave it
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') continue;
    }
    rmSync(join(base, entry), { recursive: true, force: true });
  }
}

export class BuildSession {
  private readonly hooks = new Semaphore(Math.max(1, availableParallelism()));
  private readonly envs = new Map<string, Promise<Prepared>>();
  private readonly wheels = new Map<string, Promise<string>>();
  private root: string | undefined;
  private counter = 0;
  /** What the current async context is building, outermost first: a build that needs itself is a cycle. */
  private readonly stack = new AsyncLocalStorage<{ key: string; what: string }[]>();
  private readonly interpreterKey: string;

  constructor(
    readonly target: Interpreter,
    readonly options: BuildOptions,
    private readonly installer: BuildEnvInstaller,
  ) {
    // Config settings, the build environment (isolated or the target's own) and build constraints
    // change what a backend builds: wheels built with other ones are kept apart.
    const tag = (prefix: string, value: unknown): string => `-${prefix}${sha256Text(JSON.stringify(value)).slice(0, 12)}`;
    const settings = Object.keys(options.configSettings).length === 0 ? '' : tag('cs', options.configSettings);
    const isolation = options.isolation ? (options.noIsolation.size === 0 ? '' : tag('ni', [...options.noIsolation].sort())) : '-noiso';
    const constraints = options.buildConstraints.length === 0 ? '' : tag('bc', [...options.buildConstraints].sort());
    this.interpreterKey = `${interpreterKey(target.facts)}${settings}${isolation}${constraints}`;
  }

  /** A new folder for one build, under the cache (so results publish with a rename). */
  private scratch(tag: string): string {
    if (this.root === undefined) {
      const base = join(this.options.cacheDir, 'build-tmp-v1');
      mkdirSync(base, { recursive: true });
      removeAbandoned(base);
      this.root = mkdtempSync(join(base, `run-${process.pid}-`));
    }
    const dir = join(this.root, `${++this.counter}-${tag.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 60)}`);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  /** Removes every temporary folder (unless --keep-build-env). */
  cleanup(): void {
    if (this.root === undefined) return;
    if (this.options.keepBuildEnv) {
      writeFileSync(join(this.root, KEPT_MARKER), 'kept with --keep-build-env\n');
      log.status(`Kept the build environments and folders in ${this.root}`);
      return;
    }
    rmSync(this.root, { recursive: true, force: true });
    this.root = undefined;
  }

  /** Runs `work` as the build of `key`, refusing a build that (through its build requirements) needs itself. */
  private within<T>(key: string, label: BuildLabel, work: () => Promise<T>): Promise<T> {
    const stack = this.stack.getStore() ?? [];
    if (stack.some((s) => s.key === key)) {
      const chain = [...stack.map((s) => s.what), label.what].join(' → ');
      return Promise.reject(new ZephyrError('ZE_BUILD_CYCLE', `building ${label.what} needs itself: ${chain}`, 'a build requirement can only be built from source if it does not need the package being built; pin a version with a wheel'));
    }
    return this.stack.run([...stack, { key, what: label.what }], work);
  }

  private refuseWhenNoBuild(label: BuildLabel): void {
    if (this.options.noBuild) {
      throw new ZephyrError('ZE_NO_BUILD', `${label.what} would have to be built, and --no-build forbids building`, 'drop --no-build, or pick a version that has a wheel');
    }
  }

  /** Unpacks an sdist into a fresh folder: its source tree. */
  async unpack(archive: string, label: BuildLabel): Promise<string> {
    const dest = join(this.scratch(label.name), 'src');
    const [tree] = await callNative((n) => n.unpackSdists([{ archive, dest }]));
    if (tree === undefined) throw new Error(`the core unpacked nothing from ${archive}`);
    return tree;
  }

  // --- build environments --------------------------------------------------

  private isolated(label: BuildLabel): boolean {
    return this.options.isolation && !this.options.noIsolation.has(label.name);
  }

  private async environmentFor(requirements: string[], label: BuildLabel): Promise<Prepared> {
    if (!this.isolated(label)) return { python: this.target.path, env: {} };
    const pinned = await this.installer.resolve(requirements, this.options.buildConstraints);
    let prepared = this.envs.get(pinned.key);
    if (prepared === undefined) {
      prepared = this.createEnvironment(pinned, label);
      this.envs.set(pinned.key, prepared);
    }
    return prepared;
  }

  private async createEnvironment(pinned: { key: string; install(env: Environment): Promise<void> }, label: BuildLabel): Promise<Prepared> {
    const { createVenv } = await import('../python/venv.js');
    const path = join(this.scratch(`env-${pinned.key.slice(0, 12)}`), 'venv');
    const made = await createVenv({ path, facts: this.target.facts });
    // The scheme of the new venv, every path inside it (never the target's or the base interpreter's).
    const rel = this.target.facts.venv_paths;
    const bin = join(made.path, process.platform === 'win32' ? 'Scripts' : 'bin');
    const purelib = join(made.path, rel.purelib ?? join('lib', `python${this.target.facts.version_info[0]}.${this.target.facts.version_info[1]}`, 'site-packages'));
    const paths: Record<string, string> = {
      ...Object.fromEntries(Object.entries(rel).map(([k, v]) => [k, join(made.path, v)])),
      purelib,
      platlib: rel.platlib === undefined ? purelib : join(made.path, rel.platlib),
      scripts: rel.scripts === undefined ? bin : join(made.path, rel.scripts),
      data: made.path,
    };
    const facts = { ...this.target.facts, prefix: made.path, executable: made.python, paths };
    log.debug(`build environment for ${label.what}: ${made.path}`);
    await pinned.install({ root: made.path, interpreter: { path: made.python, facts } });
    return { python: made.python, env: { PATH: `${bin}${process.platform === 'win32' ? ';' : ':'}${process.env.PATH ?? ''}`, VIRTUAL_ENV: made.path } };
  }

  /** The environment with `[build-system].requires` and what `requiresHook` adds. */
  private async prepare(tree: string, system: BuildSystem, requiresHook: string, label: BuildLabel, logFile: string, scratch: string): Promise<Prepared> {
    const first = await this.environmentFor(system.requires, label);
    if (!this.isolated(label)) return first;
    const extra = await this.hook(label, logFile, { python: first.python, env: first.env, tree, system, hook: requiresHook, args: [this.options.configSettings], scratch });
    const more = extra.kind === 'result' && Array.isArray(extra.value) ? extra.value.filter((r): r is string => typeof r === 'string') : [];
    if (more.length === 0) return first;
    log.debug(`${label.what} also needs ${more.join(', ')} to build`);
    return this.environmentFor([...system.requires, ...more], label);
  }

  // --- hooks ---------------------------------------------------------------

  private async hook(label: BuildLabel, logFile: string, call: { python: string; env: Record<string, string>; tree: string; system: BuildSystem; hook: string; args: unknown[]; scratch: string }): Promise<HookOutcome> {
    const release = await this.hooks.acquire();
    try {
      log.debug(`${label.what}: ${call.hook}`);
      return await runHook({ ...call, logFile });
    } catch (err) {
      if (err instanceof HookFailure) throw this.failure(label, call.hook, err, logFile);
      throw err;
    } finally {
      release();
    }
  }

  private failure(label: BuildLabel, hook: string, err: HookFailure, logFile: string): ZephyrError {
    let text = '';
    try {
      text = readFileSync(logFile, 'utf8');
    } catch {
      // no log
    }
    let kept = logFile;
    try {
      const dir = join(this.options.cacheDir, 'build-logs');
      mkdirSync(dir, { recursive: true });
      kept = join(dir, `${label.name}-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}.log`);
      copyFileSync(logFile, kept);
    } catch {
      kept = logFile;
    }
    const tail = text.trimEnd().split('\n').slice(-25).join('\n');
    const why = err.reason === 'backend-unavailable' ? `the build backend could not be imported (${err.message})` : `${hook} failed: ${err.message}`;
    const hint = err.reason === 'backend-unavailable' && !this.isolated(label) ? 'without build isolation the backend must be installed in the environment: install it, or drop --no-build-isolation' : buildHint(text, label.name);
    return new ZephyrError('ZE_BUILD_FAILED', `failed to build ${label.what}: ${why}\n--- last lines of the build log (${kept}) ---\n${tail}\n---`, hint);
  }

  private logFileIn(scratch: string): string {
    return join(scratch, 'build.log');
  }

  // --- what callers ask for ------------------------------------------------

  /** The METADATA of a source tree: prepare_metadata_for_build_wheel, else a built wheel's. */
  async metadataOfTree(tree: string, label: BuildLabel, cacheKey: string | null): Promise<string> {
    this.refuseWhenNoBuild(label);
    if (cacheKey !== null) {
      const cached = this.cachedWheel(cacheKey);
      if (cached !== null) return withFileReader(cached, (reader) => readWheelMetadata(reader, basename(cached)));
      const metadataFile = join(this.cacheFolder(cacheKey), 'METADATA');
      if (existsSync(metadataFile)) return readFileSync(metadataFile, 'utf8');
    }
    const system = readBuildSystem(tree);
    const scratch = this.scratch(`${label.name}-metadata`);
    const logFile = this.logFileIn(scratch);
    const prepared = await this.prepare(tree, system, 'get_requires_for_build_wheel', label, logFile, scratch);
    const out = join(scratch, 'metadata');
    mkdirSync(out, { recursive: true });
    const answer = await this.hook(label, logFile, { ...prepared, tree, system, hook: 'prepare_metadata_for_build_wheel', args: [out, this.options.configSettings], scratch });
    if (answer.kind === 'result' && typeof answer.value === 'string') {
      const text = readFileSync(join(out, answer.value, 'METADATA'), 'utf8');
      if (cacheKey !== null) this.publishFile(cacheKey, 'METADATA', join(out, answer.value, 'METADATA'));
      return text;
    }
    const wheel = await this.wheelOfTree(tree, label, cacheKey);
    return withFileReader(wheel, (reader) => readWheelMetadata(reader, basename(wheel)));
  }

  private cacheFolder(cacheKey: string): string {
    return join(this.options.cacheDir, 'built-wheels-v1', cacheKey, this.interpreterKey);
  }

  private cachedWheel(cacheKey: string): string | null {
    const dir = this.cacheFolder(cacheKey);
    try {
      const wheel = readdirSync(dir).find((f) => f.endsWith('.whl'));
      return wheel === undefined ? null : join(dir, wheel);
    } catch {
      return null;
    }
  }

  /** Publishes one file into the cache folder of `cacheKey` (atomic rename; an existing one wins). */
  private publishFile(cacheKey: string, name: string, source: string): string {
    const dir = this.cacheFolder(cacheKey);
    mkdirSync(dir, { recursive: true });
    const dest = join(dir, name);
    if (existsSync(dest)) return dest;
    const tmp = `${dest}.${process.pid}.tmp`;
    copyFileSync(source, tmp);
    renameSync(tmp, dest);
    return dest;
  }

  /** A wheel built from a source tree (cached under `cacheKey` when given). */
  wheelOfTree(tree: string, label: BuildLabel, cacheKey: string | null): Promise<string> {
    const memo = cacheKey ?? `tree:${resolve(tree)}`;
    return this.within(memo, label, () => {
      let running = this.wheels.get(memo);
      if (running === undefined) {
        running = this.buildWheel(tree, label, cacheKey, 'wheel');
        this.wheels.set(memo, running);
      }
      return running;
    });
  }

  /** A PEP 660 editable wheel of a project folder (never cached: it points at the folder). */
  editableOfTree(tree: string, label: BuildLabel): Promise<string> {
    return this.buildWheel(tree, label, null, 'editable');
  }

  /** A wheel of an sdist file, built once per sdist hash and interpreter. */
  async wheelOfSdist(archive: string, sha256: string, label: BuildLabel): Promise<string> {
    const key = `sdist-${sha256}`;
    const cached = this.cachedWheel(key);
    if (cached !== null) {
      log.debug(`${label.what}: built before (${cached})`);
      return cached;
    }
    this.refuseWhenNoBuild(label);
    return this.within(key, label, () => {
      let running = this.wheels.get(key);
      if (running === undefined) {
        running = this.unpack(archive, label).then((tree) => this.buildWheel(tree, label, key, 'wheel'));
        this.wheels.set(key, running);
      }
      return running;
    });
  }

  /** The METADATA of an sdist file without static metadata. */
  async metadataOfSdist(archive: string, sha256: string, label: BuildLabel): Promise<string> {
    const key = `sdist-${sha256}`;
    const cached = this.cachedWheel(key);
    if (cached !== null) return withFileReader(cached, (reader) => readWheelMetadata(reader, basename(cached)));
    const metadataFile = join(this.cacheFolder(key), 'METADATA');
    if (existsSync(metadataFile)) return readFileSync(metadataFile, 'utf8');
    this.refuseWhenNoBuild(label);
    return this.within(`${key}:metadata`, label, async () => this.metadataOfTree(await this.unpack(archive, label), label, key));
  }

  private async buildWheel(tree: string, label: BuildLabel, cacheKey: string | null, kind: 'wheel' | 'editable'): Promise<string> {
    if (cacheKey !== null) {
      const cached = this.cachedWheel(cacheKey);
      if (cached !== null) return cached;
    }
    this.refuseWhenNoBuild(label);
    const started = performance.now();
    const system = readBuildSystem(tree);
    const scratch = this.scratch(`${label.name}-${kind}`);
    const logFile = this.logFileIn(scratch);
    const prepared = await this.prepare(tree, system, kind === 'wheel' ? 'get_requires_for_build_wheel' : 'get_requires_for_build_editable', label, logFile, scratch);
    const out = join(scratch, 'wheel');
    mkdirSync(out, { recursive: true });
    const hook = kind === 'wheel' ? 'build_wheel' : 'build_editable';
    const answer = await this.hook(label, logFile, { ...prepared, tree, system, hook, args: [out, this.options.configSettings, null], scratch });
    if (answer.kind === 'unsupported') {
      throw new ZephyrError(
        'ZE_BUILD_FAILED',
        `the build backend of ${label.what} (${system.backend}) has no ${hook} hook`,
        kind === 'editable' ? 'editable installs need a backend that supports PEP 660; install it without -e' : undefined,
      );
    }
    if (typeof answer.value !== 'string' || !answer.value.endsWith('.whl') || !existsSync(join(out, answer.value))) {
      throw new ZephyrError('ZE_BUILD_FAILED', `the build backend of ${label.what} returned ${JSON.stringify(answer.value)} from ${hook}, not a wheel it wrote`);
    }
    log.status(`Built ${label.what} in ${Math.round(performance.now() - started)}ms`);
    const built = join(out, answer.value);
    return cacheKey === null ? built : this.publishFile(cacheKey, answer.value, built);
  }

  /** An sdist of a project folder (PEP 517 build_sdist), written into `outDir`. */
  async sdistOfTree(tree: string, outDir: string, label: BuildLabel): Promise<string> {
    const system = readBuildSystem(tree);
    const scratch = this.scratch(`${label.name}-sdist`);
    const logFile = this.logFileIn(scratch);
    const prepared = await this.prepare(tree, system, 'get_requires_for_build_sdist', label, logFile, scratch);
    const out = join(scratch, 'sdist');
    mkdirSync(out, { recursive: true });
    const answer = await this.hook(label, logFile, { ...prepared, tree, system, hook: 'build_sdist', args: [out, this.options.configSettings], scratch });
    if (answer.kind === 'unsupported') throw new ZephyrError('ZE_BUILD_FAILED', `the build backend of ${label.what} (${system.backend}) cannot build sdists (no build_sdist hook)`);
    if (typeof answer.value !== 'string' || !existsSync(join(out, answer.value))) {
      throw new ZephyrError('ZE_BUILD_FAILED', `the build backend of ${label.what} returned ${JSON.stringify(answer.value)} from build_sdist, not an sdist it wrote`);
    }
    mkdirSync(outDir, { recursive: true });
    const dest = join(outDir, answer.value);
    copyFileSync(join(out, answer.value), dest);
    return dest;
  }

  /** Copies a built wheel into `outDir`. */
  static copyInto(wheel: string, outDir: string): string {
    mkdirSync(outDir, { recursive: true });
    const dest = join(outDir, basename(wheel));
    copyFileSync(wheel, dest);
    return dest;
  }
}

export { sha256Text };
