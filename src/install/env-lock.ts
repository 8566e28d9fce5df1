// One zephyr process at a time changes an environment: a lock file holding the
// owner's pid, taken before the environment is read and kept until the process
// exits. A lock whose owner is gone (killed) is taken over. Without it, a second
// process's journal recovery could roll back a change the first is still making.

import { linkSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Environment } from '../python/environment.js';
import { ZephyrError } from '../ui/errors.js';
import { log } from '../ui/log.js';

const WAIT_LIMIT_MS = 10 * 60 * 1000;
const held = new Set<string>();

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** How long a lock file without a pid in it is taken to be still being written. */
const OWNERLESS_GRACE_MS = 2000;

function youngerThan(path: string, ms: number): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs < ms;
  } catch {
    return false;
  }
}

/** Puts the lock in place with its content, or fails with EEXIST. */
function createLock(mine: string, path: string): void {
  try {
    linkSync(mine, path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // File systems without hard links: created, then written (see OWNERLESS_GRACE_MS).
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw err;
    writeFileSync(path, String(process.pid), { flag: 'wx' });
  }
}

/** The pid in a lock file; NaN when it holds none (yet) or is gone. */
function ownerOf(path: string): number {
  try {
    const text = readFileSync(path, 'utf8').trim();
    return /^\d+$/.test(text) ? Number(text) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Takes the environment's lock (waiting for a live owner), released when this process exits. */
export async function lockEnvironment(env: Environment): Promise<void> {
  const dir = join(env.root, '.zephyr');
  const path = join(dir, 'lock');
  if (held.has(path)) return;
  mkdirSync(dir, { recursive: true });
  const started = Date.now();
  let told = false;
  // The lock appears with its owner's pid in it, at once: written beside it, then linked into
  // place (a file created empty and then written would be seen without an owner, and taken over).
  const mine = `${path}.${process.pid}`;
  writeFileSync(mine, String(process.pid));
  for (;;) {
    try {
      createLock(mine, path);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        rmSync(mine, { force: true });
        throw err;
      }
    }
    const owner = ownerOf(path);
    if (Number.isNaN(owner) && youngerThan(path, OWNERLESS_GRACE_MS)) {
      // Made by a zephyr that cannot link and has not written its pid yet.
      await sleep(20);
      continue;
    }
    if (!alive(owner)) {
      log.debug(`taking over the lock of ${env.root} from pid ${owner}, which is gone`);
      rmSync(path, { force: true });
      continue;
    }
    if (!told) {
      log.status(`Waiting for another zephyr process (pid ${owner}) to finish changing ${env.root}`);
      told = true;
    }
    if (Date.now() - started > WAIT_LIMIT_MS) {
      rmSync(mine, { force: true });
      throw new ZephyrError('ZE_ENV_LOCKED', `${env.root} is being changed by zephyr process ${owner}`, `wait for it to finish, or stop it; the lock is ${path}`);
    }
    await sleep(100);
  }
  rmSync(mine, { force: true });
  held.add(path);
  process.once('exit', () => {
    if (ownerOf(path) === process.pid) rmSync(path, { force: true });
  });
}
