// Creating PEP 405 virtual environments without starting Python: the
// interpreter's cached facts say everything the layout needs. The
// environment is built in a temporary sibling folder and moved into place
// with a rename, so a failure never leaves half an environment behind.

import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ZephyrError } from '../ui/errors.js';
import { log } from '../ui/log.js';
import { activationScripts } from './activation.js';
import { majorMinor, type InterpreterFacts } from './interpreter.js';

declare const ZEPHYR_VERSION: string;
const zephyrVersion = typeof ZEPHYR_VERSION === 'string' ? ZEPHYR_VERSION : 'dev';

export interface VenvOptions {
  path: string;
  facts: InterpreterFacts;
  prompt?: string | undefined;
  systemSitePackages?: boolean;
  clear?: boolean;
  seed?: boolean;
}

export interface VenvResult {
  path: string;
  python: string;
  version: string;
  replaced: boolean;
  seeded: boolean;
}

const isWindows = process.platform === 'win32';
export const BIN_NAME = isWindows ? 'Scripts' : 'bin';

/** Is `dir` a virtual environment (it has a pyvenv.cfg)? */
export function isVenv(dir: string): boolean {
  return existsSync(join(dir, 'pyvenv.cfg'));
}

/** key = value pairs of a pyvenv.cfg. */
export function readPyvenvCfg(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const text = readFileSync(join(dir, 'pyvenv.cfg'), 'utf8');
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([^=#]+?)\s*=\s*(.*?)\s*$/.exec(line);
    if (m && m[1]) out[m[1]] = m[2] ?? '';
  }
  return out;
}

/** The interpreter a venv's python should point at: the base one, never another venv's. */
export function baseExecutable(facts: InterpreterFacts): string {
  if (facts.prefix !== facts.base_prefix) {
    try {
      const home = readPyvenvCfg(facts.prefix).home;
      if (home) {
        const candidate = join(home, basename(facts.executable));
        if (existsSync(candidate)) return candidate;
      }
    } catch {
      // fall through to what Python reported
    }
  }
  return facts.base_executable || facts.executable;
}

type Existing = 'absent' | 'empty' | 'venv' | 'other';

function inspectTarget(path: string): Existing {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return 'absent';
  }
  if (!st.isDirectory()) return 'other';
  if (isVenv(path)) return 'venv';
  return readdirSync(path).length === 0 ? 'empty' : 'other';
}

function implementationLabel(facts: InterpreterFacts): string {
  const names: Record<string, string> = { cpython: 'CPython', pypy: 'PyPy', graalpy: 'GraalPy' };
  return names[facts.implementation] ?? facts.implementation;
}

function pyvenvCfg(facts: InterpreterFacts, base: string, opts: VenvOptions, prompt: string): string {
  return [
    `home = ${dirname(base)}`,
    `implementation = ${implementationLabel(facts)}`,
    `version = ${facts.version}`,
    `version_info = ${facts.version}`,
    `include-system-site-packages = ${opts.systemSitePackages ? 'true' : 'false'}`,
    `prompt = ${prompt}`,
    `executable = ${base}`,
    `zephyr = ${zephyrVersion}`,
    '',
  ].join('\n');
}

function linkInterpreters(binDir: string, facts: InterpreterFacts, base: string): string {
  if (isWindows) {
    // Windows: copy the base interpreter's venv launcher (or the interpreter itself).
    const home = dirname(base);
    const launchers = [join(home, 'Lib', 'venv', 'scripts', 'nt', 'venvlauncher.exe'), join(home, 'Lib', 'venv', 'scripts', 'nt', 'python.exe')];
    const launcher = launchers.find((l) => existsSync(l)) ?? base;
    copyFileSync(launcher, join(binDir, 'python.exe'));
    const w = [join(home, 'Lib', 'venv', 'scripts', 'nt', 'venvwlauncher.exe'), join(home, 'pythonw.exe')].find((l) => existsSync(l));
    if (w) copyFileSync(w, join(binDir, 'pythonw.exe'));
    return join(binDir, 'python.exe');
  }
  const mm = majorMinor(facts);
  symlinkSync(base, join(binDir, 'python'));
  const aliases = facts.implementation === 'pypy' ? ['python3', `python${mm}`, 'pypy', 'pypy3', `pypy${mm}`] : ['python3', `python${mm}`];
  for (const alias of aliases) symlinkSync('python', join(binDir, alias));
  return join(binDir, 'python');
}

/**
 * `mkdir -p root/rel` for a `root` this process has just made: one mkdir
 * per level from the top. (The recursive mkdir starts at the bottom and
 * fails its way up, two wasted calls for lib/pythonX.Y/site-packages.)
 */
function mkdirsUnder(root: string, rel: string): void {
  let dir = root;
  for (const part of rel.split(/[\\/]/)) {
    if (part === '' || part === '.') continue;
    dir = join(dir, part);
    try {
      mkdirSync(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

/** Writes the whole environment into `root`, whose final place is `finalPath`. */
function buildInto(root: string, finalPath: string, opts: VenvOptions, prompt: string): void {
  const facts = opts.facts;
  const base = baseExecutable(facts);
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'pyvenv.cfg'), pyvenvCfg(facts, base, opts, prompt));
  // The environment is not source: keep it out of version control.
  writeFileSync(join(root, '.gitignore'), '*\n');
  const binDir = join(root, BIN_NAME);
  mkdirSync(binDir, { recursive: true });
  linkInterpreters(binDir, facts, base);
  const rel = facts.venv_paths;
  const purelib = rel.purelib ?? (isWindows ? 'Lib/site-packages' : `lib/python${majorMinor(facts)}/site-packages`);
  mkdirsUnder(root, purelib);
  if (rel.platlib && rel.platlib !== purelib) mkdirsUnder(root, rel.platlib);
  if (!isWindows && facts.pointer_size === 64 && process.platform !== 'darwin' && !existsSync(join(root, 'lib64'))) {
    symlinkSync('lib', join(root, 'lib64'));
  }
  const scripts = activationScripts({ venv: finalPath, binName: BIN_NAME, prompt, pathSeparator: isWindows ? ';' : ':' });
  for (const [name, text] of Object.entries(scripts)) writeFileSync(join(binDir, name), text);
}

async function seedPip(venv: string): Promise<void> {
  const python = join(venv, BIN_NAME, isWindows ? 'python.exe' : 'python');
  // Loaded only when seeding: node:child_process is costly to load for the common case.
  const { spawnSync } = await import('node:child_process');
  // ensurepip installs the pip wheel the interpreter bundles: no network.
  const r = spawnSync(python, ['-m', 'ensurepip', '--default-pip'], { encoding: 'utf8' });
  if (r.status !== 0) {
    throw new ZephyrError(
      'ZE_VENV_SEED',
      `could not seed pip into ${venv}: ${(r.stderr || r.error?.message || '').trim().split('\n').pop() ?? ''}`,
      'this interpreter may lack ensurepip (some distributions split it into a python3-venv package)',
    );
  }
}

function tempSibling(path: string, tag: string): string {
  // Unique enough next to the pid; not node:crypto, which is slow to load.
  const nonce = Math.floor(Math.random() * 0x100000000).toString(16).padStart(8, '0');
  return join(dirname(path), `.${basename(path)}.zephyr-${tag}-${process.pid}-${nonce}`);
}

export async function createVenv(opts: VenvOptions): Promise<VenvResult> {
  const path = resolve(opts.path);
  const existing = inspectTarget(path);
  if (existing === 'other') {
    if (!opts.clear) {
      throw new ZephyrError(
        'ZE_VENV_EXISTS',
        `${path} exists and is not a virtual environment`,
        'choose another path, or pass --clear to delete its contents and create the environment there',
      );
    }
    if (!lstatSync(path).isDirectory()) {
      throw new ZephyrError('ZE_VENV_EXISTS', `${path} is a file, not a folder`, 'choose another path');
    }
  }
  const prompt = opts.prompt ?? basename(path);
  mkdirSync(dirname(path), { recursive: true });
  const staging = tempSibling(path, 'new');
  let retired: string | undefined;
  try {
    buildInto(staging, path, opts, prompt);
    if (existing !== 'absent') {
      retired = tempSibling(path, 'old');
      renameSync(path, retired);
    }
    renameSync(staging, path);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    if (retired && !existsSync(path)) renameSync(retired, path);
    throw wrapFsError(err, path);
  }
  if (opts.seed) {
    try {
      await seedPip(path);
    } catch (err) {
      // Put back what was there: a failed creation leaves nothing half-made.
      rmSync(path, { recursive: true, force: true });
      if (retired) renameSync(retired, path);
      throw err;
    }
  }
  if (retired) rmSync(retired, { recursive: true, force: true });
  log.debug(`created ${path} from ${opts.facts.executable}`);
  return {
    path,
    python: join(path, BIN_NAME, isWindows ? 'python.exe' : 'python'),
    version: opts.facts.version,
    replaced: existing === 'venv' || existing === 'other',
    seeded: opts.seed === true,
  };
}

function wrapFsError(err: unknown, path: string): unknown {
  if (err instanceof ZephyrError) return err;
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'EACCES' || e.code === 'EPERM') {
    return new ZephyrError('ZE_VENV_PERMISSION', `cannot create ${path}: permission denied`, 'choose a folder you can write to');
  }
  if (e.code === 'ENOSPC') return new ZephyrError('ZE_DISK_FULL', `cannot create ${path}: no space left on the device`);
  return new ZephyrError('ZE_VENV_CREATE', `cannot create ${path}: ${e.message}`);
}
