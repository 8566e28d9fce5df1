// Whether a sync would have nothing to do, without loading anything heavy:
// the last sync left a fingerprint of its inputs (pyproject.toml, zephyr.lock,
// the options) and a stamp of the environment (its dist-info folders) in the
// environment. `zephyr sync` reads it first, from a fast path that loads
// neither clipanion nor the core (src/cli/sync-fast.ts), so this module must
// stay free of imports beyond Node's fs and path.

import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { SyncOptions } from './sync.js';

export const LOCK_FILE = 'zephyr.lock';
const FINGERPRINT_FILE = '.zephyr-sync';

/**
 * Testing and cross-checking only: `ZEPHYR_SYNC_PLATFORM=<a --python-platform value>` makes sync
 * evaluate the lock's markers and pick wheels as if it ran on that platform (see README, Lockfile).
 */
export const SYNC_PLATFORM_ENV = 'ZEPHYR_SYNC_PLATFORM';

function sitePackagesOf(venv: string): string[] {
  const out: string[] = [];
  for (const lib of ['lib', 'lib64', 'Lib']) {
    const dir = join(venv, lib);
    if (!existsSync(dir)) continue;
    if (lib === 'Lib') out.push(join(dir, 'site-packages'));
    else for (const entry of readdirSync(dir)) if (/^(python|pypy)/.test(entry)) out.push(join(dir, entry, 'site-packages'));
  }
  return out.filter((d) => existsSync(d));
}

/**
 * What the environment has, cheaply: its dist-info folders with their mtimes. Null when it is no
 * working environment (no pyvenv.cfg, no site-packages): such a folder is never "up to date".
 */
function environmentStamp(venv: string): string | null {
  if (!existsSync(join(venv, 'pyvenv.cfg'))) return null;
  const dirs = sitePackagesOf(venv);
  if (dirs.length === 0) return null;
  const parts: string[] = [];
  for (const dir of dirs) {
    for (const entry of readdirSync(dir).sort()) {
      if (!entry.endsWith('.dist-info')) continue;
      let mtime = 0;
      try {
        mtime = statSync(join(dir, entry)).mtimeMs;
      } catch {
        // raced with a removal: the stamp differs anyway
      }
      parts.push(`${entry}@${mtime}`);
    }
  }
  return parts.join('\n');
}

/**
 * Two FNV-1a hashes (32-bit, different offsets) of the text, as hex: it tells whether inputs
 * changed, it is no security boundary, and node:crypto would cost the fast path more than the
 * rest of its work.
 */
function digest(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 13);
  }
  return `${(a >>> 0).toString(16).padStart(8, '0')}${(b >>> 0).toString(16).padStart(8, '0')}:${text.length}`;
}

/** The interpreter request a sync sees without loading the settings: ZEPHYR_PYTHON, else the project's .python-version. */
function pythonRequest(root: string): string {
  const fromEnv = process.env.ZEPHYR_PYTHON;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  try {
    return readFileSync(join(root, '.python-version'), 'utf8').trim();
  } catch {
    return '';
  }
}

export function fingerprint(root: string, pyprojectText: string, lockText: string, opts: SyncOptions): string {
  const options = JSON.stringify({
    python: pythonRequest(root),
    frozen: opts.frozen === true,
    groups: [...(opts.groups ?? [])].sort(),
    noDev: opts.noDev === true,
    extras: [...(opts.extras ?? [])].sort(),
    allExtras: opts.allExtras === true,
    platform: process.env[SYNC_PLATFORM_ENV] ?? '',
  });
  return `${digest(pyprojectText)}/${digest(lockText)}/${digest(options)}`;
}

/** True when the last sync left the environment exactly as these inputs ask. */
export function upToDate(venv: string, print: string): boolean {
  try {
    const saved = JSON.parse(readFileSync(join(venv, FINGERPRINT_FILE), 'utf8')) as { inputs?: string; stamp?: string };
    const stamp = environmentStamp(venv);
    return stamp !== null && saved.inputs === print && saved.stamp === stamp;
  } catch {
    return false;
  }
}

/** Records the inputs of a finished sync; false when it could not be written (the next sync then does the work). */
export function saveFingerprint(venv: string, print: string): boolean {
  const stamp = environmentStamp(venv);
  if (stamp === null) return false;
  try {
    writeFileSync(join(venv, FINGERPRINT_FILE), JSON.stringify({ inputs: print, stamp }) + '\n');
    return true;
  } catch {
    return false;
  }
}

/** Whether pyproject.toml has [tool.zephyr.sources] (as a table, or a `sources` key of [tool.zephyr]). */
export function hasLocalSources(pyprojectText: string): boolean {
  return /^\s*\[tool\.zephyr\.sources[\].]/m.test(pyprojectText) || /^\s*\[tool\.zephyr\]\s*$[^[]*^\s*sources\s*=/m.test(pyprojectText);
}

/**
 * The no-op check before anything is parsed: the nearest pyproject.toml with a [project]
 * table, its lock and .venv, compared by fingerprint. The environment's path when a sync would
 * have nothing to do; undefined otherwise (then the full sync decides).
 */
export function syncIsNoop(cwd: string, opts: SyncOptions): string | undefined {
  let dir = resolve(cwd);
  for (;;) {
    const pyproject = join(dir, 'pyproject.toml');
    if (existsSync(pyproject)) {
      let text: string;
      try {
        text = readFileSync(pyproject, 'utf8');
      } catch {
        return undefined;
      }
      if (/^\s*\[project\]/m.test(text)) {
        // Dependencies built from folders can change without pyproject.toml or the lock changing:
        // the full sync checks them (src/project/local-installs.ts).
        if (hasLocalSources(text)) return undefined;
        const venv = join(dir, '.venv');
        const lockPath = join(dir, LOCK_FILE);
        if (!existsSync(lockPath) || !existsSync(venv)) return undefined;
        return upToDate(venv, fingerprint(dir, text, readFileSync(lockPath, 'utf8'), opts)) ? venv : undefined;
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
