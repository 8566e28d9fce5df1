// `zephyr sync`: make the project's .venv match zephyr.lock exactly, without
// resolving again: evaluate the lock's markers for this environment, pick this
// platform's wheel of each package, verify every hash, install what is missing
// or different, remove what the lock does not have. A sync with nothing to do
// returns from a fingerprint before anything heavy is loaded.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Settings } from '../settings/load.js';
import { log } from '../ui/log.js';
import type { Project } from './pyproject.js';
import { LOCK_FILENAME } from './lockfile.js';
import { fingerprint, saveFingerprint, upToDate } from './sync-fingerprint.js';

export { syncIsNoop } from './sync-fingerprint.js';

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

export { SYNC_PLATFORM_ENV } from './sync-fingerprint.js';

export async function syncProject(project: Project, settings: Settings, opts: SyncOptions = {}): Promise<SyncOutcome> {
  const venv = join(project.root, '.venv');
  const lockPath = join(project.root, LOCK_FILENAME);
  // The fast path: nothing heavy is loaded before this check.
  if (existsSync(lockPath) && existsSync(venv) && Object.keys(project.sources).length === 0) {
    const print = fingerprint(project.root, project.text, readFileSync(lockPath, 'utf8'), opts);
    if (upToDate(venv, print)) {
      log.debug('the environment matches the lock (fingerprint)');
      return { environment: venv, noop: true, installed: [], removed: [], packages: [], createdEnvironment: false };
    }
  }
  const { syncFromLock } = await import('./sync-apply.js');
  const outcome = await syncFromLock(project, settings, opts, venv, lockPath);
  if (!saveFingerprint(venv, fingerprint(project.root, project.text, readFileSync(lockPath, 'utf8'), opts))) log.debug('could not write the sync fingerprint: the next sync checks everything');
  return outcome;
}
