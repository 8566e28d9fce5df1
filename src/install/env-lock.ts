// One zephyr process at a time changes an environment: a lock file holding the
// owner's pid, taken before the environment is read and kept until the process
// exits. A lock whose owner is gone (killed) is taken over. Without it, a second
// process's journal recovery could roll back a change the first is still making.

import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

function ownerOf(path: string): number {
  try {
    return Number(readFileSync(path, 'utf8').trim());
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
  for (;;) {
    try {
      writeFileSync(path, String(process.pid), { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = ownerOf(path);
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
      throw new ZephyrError('ZE_ENV_LOCKED', `${env.root} is being changed by zephyr process ${owner}`, `wait for it to finish, or stop it; the lock is ${path}`);
    }
    await sleep(100);
  }
  held.add(path);
  process.once('exit', () => {
    if (ownerOf(path) === process.pid) rmSync(path, { force: true });
  });
}
