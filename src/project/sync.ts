// `zephyr sync`: make the project's .venv match zephyr.lock exactly, without
// resolving again: evaluate the lock's markers for this environment, pick this
// platform's wheel of each package, verify every hash, install what is missing
// or different, remove what the lock does not have. A sync with nothing to do
// returns from a fingerprint before anything heavy is loaded.

import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Settings } from '../settings/load.js';
import { log } from '../ui/log.js';
import type { Project } from './pyproject.js';
import { LOCK_FILENAME } from './lockfile.js';

export interface SyncOptions {
  /** Use the lock as it is, without checking it against pyproject.toml. */
  frozen?: boolean;
  /** Fail when the lock is out of date instead of locking again. */
  locked?: boolean;
  /** Dependency groups to install besides the default (`dev`). */
  groups?: string[];
  /** Leave out the `dev` group. */
  noDev?: boolean;
  extras?: string[];
  allExtras?: boolean;
}

export interface SyncOutcome {
  environment: string;
  /** Nothing to do (the fingerprint matched, or the plan was empty). */
  noop: boolean;
  installed: { name: string; version: string }[];
  removed: { name: string; version: string }[];
  /** Packages the lock selects for this environment. */
  packages: { name: string; version: string }[];
  createdEnvironment: boolean;
}

/**
 * Testing and cross-checking only: `ZEPHYR_SYNC_PLATFORM=<a --python-platform value>` makes sync
 * evaluate the lock's markers and pick wheels as if it ran on that platform (see README, Lockfile).
 */
export const SYNC_PLATFORM_ENV = 'ZEPHYR_SYNC_PLATFORM';

const FINGERPRINT_FILE = '.zephyr-sync';

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

/** What the environment has, cheaply: its dist-info folders, with their mtimes. */
function environmentStamp(venv: string): string {
  const parts: string[] = [];
  for (const dir of sitePackagesOf(venv)) {
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

function fingerprint(pyprojectText: string, lockText: string, opts: SyncOptions): string {
  const h = createHash('sha256');
  h.update(pyprojectText);
  h.update('\0');
  h.update(lockText);
  h.update('\0');
  h.update(JSON.stringify({ frozen: opts.frozen === true, groups: [...(opts.groups ?? [])].sort(), noDev: opts.noDev === true, extras: [...(opts.extras ?? [])].sort(), allExtras: opts.allExtras === true, platform: process.env[SYNC_PLATFORM_ENV] ?? '' }));
  return h.digest('hex');
}

/** True when the last sync left the environment exactly as these inputs ask. */
function upToDate(venv: string, print: string): boolean {
  try {
    const saved = JSON.parse(readFileSync(join(venv, FINGERPRINT_FILE), 'utf8')) as { inputs?: string; stamp?: string };
    return saved.inputs === print && saved.stamp === environmentStamp(venv);
  } catch {
    return false;
  }
}

function saveFingerprint(venv: string, print: string): void {
  try {
    writeFileSync(join(venv, FINGERPRINT_FILE), JSON.stringify({ inputs: print, stamp: environmentStamp(venv) }) + '\n');
  } catch (err) {
    log.debug(`could not write the sync fingerprint: ${(err as Error).message}`);
  }
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
        const venv = join(dir, '.venv');
        const lockPath = join(dir, LOCK_FILENAME);
        if (!existsSync(lockPath) || !existsSync(venv)) return undefined;
        return upToDate(venv, fingerprint(text, readFileSync(lockPath, 'utf8'), opts)) ? venv : undefined;
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export async function syncProject(project: Project, settings: Settings, opts: SyncOptions = {}): Promise<SyncOutcome> {
  const venv = join(project.root, '.venv');
  const lockPath = join(project.root, LOCK_FILENAME);
  // The fast path: nothing heavy is loaded before this check.
  if (existsSync(lockPath) && existsSync(venv)) {
    const print = fingerprint(project.text, readFileSync(lockPath, 'utf8'), opts);
    if (upToDate(venv, print)) {
      log.debug('the environment matches the lock (fingerprint)');
      return { environment: venv, noop: true, installed: [], removed: [], packages: [], createdEnvironment: false };
    }
  }
  const { syncFromLock } = await import('./sync-apply.js');
  const outcome = await syncFromLock(project, settings, opts, venv, lockPath);
  saveFingerprint(venv, fingerprint(project.text, readFileSync(lockPath, 'utf8'), opts));
  return outcome;
}
