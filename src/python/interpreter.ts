// Interpreter facts: learned by starting Python once, then cached in the
// global cache keyed by the interpreter's path and its mtime and size.

import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { log } from '../ui/log.js';
import { ZephyrError } from '../ui/errors.js';
import { QUERY_SCRIPT, QUERY_SCRIPT_VERSION } from './query-script.js';

export interface MarkerEnvironment {
  implementation_name: string;
  implementation_version: string;
  os_name: string;
  platform_machine: string;
  platform_python_implementation: string;
  platform_release: string;
  platform_system: string;
  platform_version: string;
  python_full_version: string;
  python_version: string;
  sys_platform: string;
}

export interface InterpreterFacts {
  executable: string;
  base_executable: string;
  prefix: string;
  base_prefix: string;
  version: string;
  version_info: [number, number, number, string, number];
  implementation: string;
  markers: MarkerEnvironment;
  paths: Record<string, string>;
  /** Scheme paths relative to a virtual environment's root (purelib, scripts, …). */
  venv_paths: Record<string, string>;
  platform: string;
  soabi: string;
  abiflags: string;
  ext_suffix: string;
  gil_disabled: boolean;
  pointer_size: number;
  libc: { name: string; version: string };
  mac_ver: string;
}

export interface Interpreter {
  /** The path it was found at (what the user would type). */
  path: string;
  facts: InterpreterFacts;
}

interface CacheEntry {
  scriptVersion: number;
  path: string;
  mtimeMs: number;
  size: number;
  facts: InterpreterFacts;
}

/**
 * FNV-1a (64-bit) of the path's UTF-8, as hex: a file name, not a security
 * boundary (an entry records its path, so a collision only costs a query).
 * Not node:crypto: loading it costs more than a warm `zephyr venv` spends
 * on everything else.
 */
function pathKey(path: string): string {
  let h = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(path)) h = ((h ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return h.toString(16).padStart(16, '0');
}

function cacheFile(cacheDir: string, path: string): string {
  return join(cacheDir, 'interpreters', `${pathKey(path)}.json`);
}

/**
 * A venv's python is a link to its base interpreter: the same file whether or not the venv's
 * pyvenv.cfg is there, but not the same facts. Cached facts hold only while they agree on that.
 */
function sameVenvState(path: string, facts: InterpreterFacts): boolean {
  const inVenv = existsSync(join(dirname(dirname(path)), 'pyvenv.cfg'));
  return inVenv === (facts.prefix !== facts.base_prefix);
}

/** Facts from the cache when the interpreter file is unchanged. */
function readCached(cacheDir: string, path: string, mtimeMs: number, size: number): InterpreterFacts | undefined {
  try {
    const entry = JSON.parse(readFileSync(cacheFile(cacheDir, path), 'utf8')) as CacheEntry;
    if (entry.scriptVersion === QUERY_SCRIPT_VERSION && entry.path === path && entry.mtimeMs === mtimeMs && entry.size === size && sameVenvState(path, entry.facts)) {
      return entry.facts;
    }
  } catch {
    // Missing or unreadable entry: query again.
  }
  return undefined;
}

function writeCached(cacheDir: string, entry: CacheEntry): void {
  const file = cacheFile(cacheDir, entry.path);
  try {
    mkdirSync(join(cacheDir, 'interpreters'), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(entry));
    renameSync(tmp, file);
  } catch (err) {
    log.debug(`could not cache interpreter facts for ${entry.path}: ${(err as Error).message}`);
  }
}

async function runQuery(path: string): Promise<InterpreterFacts> {
  // Loaded only on a cache miss: a warm run never starts a process.
  const { execFile } = await import('node:child_process');
  return new Promise((resolvePromise, reject) => {
    // -I: isolated (ignore PYTHON* variables and the user site), so facts are the interpreter's own.
    execFile(path, ['-I', '-c', QUERY_SCRIPT], { timeout: 20_000, maxBuffer: 4 << 20 }, (err, stdout, stderr) => {
      if (err) {
        reject(new ZephyrError('ZE_PYTHON_QUERY', `could not query ${path}: ${(stderr || err.message).trim().split('\n').pop() ?? ''}`));
        return;
      }
      try {
        resolvePromise(JSON.parse(stdout) as InterpreterFacts);
      } catch {
        reject(new ZephyrError('ZE_PYTHON_QUERY', `${path} printed something that is not interpreter facts`));
      }
    });
  });
}

/** Facts of the interpreter at `path`, starting Python only when the cache has none. */
export async function queryInterpreter(path: string, cacheDir: string): Promise<Interpreter> {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new ZephyrError('ZE_PYTHON_NOT_FOUND', `no interpreter at ${path}`);
  }
  const cached = readCached(cacheDir, path, st.mtimeMs, st.size);
  if (cached) return { path, facts: cached };
  log.debug(`querying ${path}`);
  const facts = await runQuery(path);
  writeCached(cacheDir, { scriptVersion: QUERY_SCRIPT_VERSION, path, mtimeMs: st.mtimeMs, size: st.size, facts });
  return { path, facts };
}

/** "3.12.1" → [3, 12, 1] */
export function versionTuple(facts: InterpreterFacts): [number, number, number] {
  return [facts.version_info[0], facts.version_info[1], facts.version_info[2]];
}

export function majorMinor(facts: InterpreterFacts): string {
  return `${facts.version_info[0]}.${facts.version_info[1]}`;
}
