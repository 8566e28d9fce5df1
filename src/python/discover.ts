// Finding interpreters: PATH (with pyenv's shims resolved to the version they
// select), pyenv's versions folder, and the usual system places.

import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { ZephyrError } from '../ui/errors.js';
import { log } from '../ui/log.js';
import { queryInterpreter, type Interpreter } from './interpreter.js';
import { executableInPath, parsePythonRequest, satisfies, type PythonRequest } from './request.js';

export type Origin = 'path' | 'pyenv' | 'system' | 'requested';

export interface Candidate {
  path: string;
  origin: Origin;
}

const isWindows = process.platform === 'win32';
const EXECUTABLE = isWindows ? /^python(3(\.\d+)?)?\.exe$/i : /^(python|python3|python3\.\d+|pypy3(\.\d+)?)$/;

function pyenvRoot(env: NodeJS.ProcessEnv): string {
  return env.PYENV_ROOT && env.PYENV_ROOT.length > 0 ? env.PYENV_ROOT : join(homedir(), '.pyenv');
}

/** The pyenv version a shim would run: PYENV_VERSION, then .python-version upwards, then the global file. */
function pyenvSelected(env: NodeJS.ProcessEnv, cwd: string): string[] {
  const fromText = (t: string): string[] => t.split(/\s+/).filter((v) => v && v !== 'system' && !v.startsWith('#'));
  if (env.PYENV_VERSION) return fromText(env.PYENV_VERSION.replace(/:/g, ' '));
  let dir = resolve(cwd);
  for (;;) {
    const f = join(dir, '.python-version');
    if (existsSync(f)) return fromText(readFileSync(f, 'utf8'));
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  try {
    return fromText(readFileSync(join(pyenvRoot(env), 'version'), 'utf8'));
  } catch {
    return [];
  }
}

function executablesIn(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  // python3.12 before python3 before python: the most specific name first, stable.
  return names
    .filter((n) => EXECUTABLE.test(n))
    .sort((a, b) => b.length - a.length || a.localeCompare(b))
    .map((n) => join(dir, n));
}

function systemDirs(): string[] {
  if (isWindows) {
    const local = process.env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local');
    const base = join(local, 'Programs', 'Python');
    try {
      return readdirSync(base).map((d) => join(base, d));
    } catch {
      return [];
    }
  }
  const dirs = ['/usr/local/bin', '/usr/bin', '/opt/homebrew/bin'];
  const framework = '/Library/Frameworks/Python.framework/Versions';
  try {
    for (const v of readdirSync(framework)) dirs.push(join(framework, v, 'bin'));
  } catch {
    // not macOS, or no framework builds
  }
  return dirs;
}

/**
 * Every candidate executable, in preference order, deduplicated by real
 * path; lazily, so that a lookup can stop at the first match.
 */
function* candidateIterator(env: NodeJS.ProcessEnv, cwd: string): Generator<Candidate> {
  const seen = new Set<string>();
  const check = (path: string): boolean => {
    let real: string;
    try {
      // One realpath(3) call; fs.realpathSync walks and lstat()s every component.
      real = realpathSync.native(path);
      if (!statSync(real).isFile()) return false;
    } catch {
      return false;
    }
    if (seen.has(real)) return false;
    seen.add(real);
    return true;
  };
  // A folder met again (/bin → /usr/bin, a pyenv version on PATH and in
  // versions/) holds only executables seen already: skip listing it again.
  const listed = new Set<string>();
  const inDir = function* (dir: string, origin: Origin): Generator<Candidate> {
    let real: string;
    try {
      real = realpathSync.native(dir);
    } catch {
      return; // no such folder: nothing to list
    }
    if (listed.has(real)) return;
    listed.add(real);
    for (const exe of executablesIn(dir)) if (check(exe)) yield { path: exe, origin };
  };
  const root = pyenvRoot(env);
  const shims = join(root, 'shims');
  const pathDirs = (env.PATH ?? '').split(delimiter).filter((d) => d);
  // Read before anything is yielded: an unreadable .python-version is an error whichever candidate matches.
  const selected = pathDirs.some((d) => resolve(d) === shims) ? pyenvSelected(env, cwd) : [];
  for (const dir of pathDirs) {
    if (resolve(dir) === shims) {
      // A shim runs the selected pyenv version: look there instead of running bash.
      for (const v of selected) yield* inDir(join(root, 'versions', v, 'bin'), 'path');
      continue;
    }
    if (dir.includes(`${join('pyenv-virtualenv', 'shims')}`)) continue;
    yield* inDir(dir, 'path');
  }
  let versions: string[] = [];
  try {
    versions = readdirSync(join(root, 'versions')).sort((a, b) => b.localeCompare(a, undefined, { numeric: true }));
  } catch {
    // no pyenv
  }
  for (const v of versions) yield* inDir(join(root, 'versions', v, 'bin'), 'pyenv');
  for (const dir of systemDirs()) yield* inDir(dir, 'system');
}

/** Every candidate executable, in preference order, deduplicated by real path. */
export function candidates(env: NodeJS.ProcessEnv, cwd: string): Candidate[] {
  return [...candidateIterator(env, cwd)];
}

export interface Found extends Interpreter {
  origin: Origin;
}

/** Queries every candidate (cached, concurrently); interpreters that cannot be queried are skipped. */
export async function discoverAll(env: NodeJS.ProcessEnv, cwd: string, cacheDir: string): Promise<Found[]> {
  const list = candidates(env, cwd);
  const results = await Promise.allSettled(list.map((c) => queryInterpreter(c.path, cacheDir)));
  const found: Found[] = [];
  results.forEach((r, i) => {
    const c = list[i];
    if (!c) return;
    if (r.status === 'fulfilled') found.push({ ...r.value, origin: c.origin });
    else log.debug(`skipping ${c.path}: ${(r.reason as Error).message}`);
  });
  return found;
}

/** The request from --python, else ZEPHYR_PYTHON/config, else .python-version. */
export function effectiveRequest(explicit: string | undefined, cwd: string): string | undefined {
  if (explicit) return explicit;
  let dir = resolve(cwd);
  for (;;) {
    const f = join(dir, '.python-version');
    if (existsSync(f)) {
      const first = readFileSync(f, 'utf8').split(/\r?\n/).map((l) => l.trim()).find((l) => l && !l.startsWith('#'));
      if (first) return first;
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * The first interpreter that satisfies the request, in discovery order
 * (PATH first). Queries candidates lazily, so a warm cache costs no Python.
 */
export async function findPython(requestText: string | undefined, env: NodeJS.ProcessEnv, cwd: string, cacheDir: string): Promise<Found> {
  const request: PythonRequest = parsePythonRequest(requestText, cwd);
  if (request.kind === 'path') {
    const exe = executableInPath(request.path);
    const interp = await queryInterpreter(exe, cacheDir);
    return { ...interp, origin: 'requested' };
  }
  for (const c of candidateIterator(env, cwd)) {
    if (!couldMatch(request, c.path)) continue;
    try {
      const interp = await queryInterpreter(c.path, cacheDir);
      if (satisfies(request, interp.facts, c.path)) return { ...interp, origin: c.origin };
    } catch (err) {
      log.debug(`skipping ${c.path}: ${(err as Error).message}`);
    }
  }
  const all = await discoverAll(env, cwd, cacheDir);
  const seen = all.map((f) => `  ${f.facts.implementation} ${f.facts.version}  ${f.path}`).join('\n');
  throw new ZephyrError(
    'ZE_PYTHON_NOT_FOUND',
    `no interpreter matches \`${requestText ?? 'any'}\`\n${all.length > 0 ? `found:\n${seen}` : 'found no interpreters at all'}`,
    'install that Python (for example with pyenv), or pass --python with a version or a path from the list',
  );
}

/** Cheap pre-filter on the file name, e.g. python3.11 cannot be 3.12. */
function couldMatch(request: PythonRequest, path: string): boolean {
  if (request.kind !== 'version' || request.version.length < 2) return true;
  const m = /python(\d+)\.(\d+)(\.exe)?$/i.exec(path);
  if (!m) return true;
  return Number(m[1]) === request.version[0] && Number(m[2]) === request.version[1];
}
