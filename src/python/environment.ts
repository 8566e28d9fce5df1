// The environment a command acts on (DESIGN.md): `VIRTUAL_ENV`, else `.venv`
// in this folder or a parent, else a clear error that says how to make one.

import { existsSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ZephyrError } from '../ui/errors.js';
import { queryInterpreter, type Interpreter } from './interpreter.js';
import { BIN_NAME, isVenv } from './venv.js';

export interface Environment {
  root: string;
  interpreter: Interpreter;
}

function pythonIn(root: string): string {
  const exe = process.platform === 'win32' ? 'python.exe' : 'python';
  return join(root, BIN_NAME, exe);
}

function nearestVenv(cwd: string): string | undefined {
  let dir = resolve(cwd);
  for (;;) {
    const candidate = join(dir, '.venv');
    if (isVenv(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Real path, or the path itself when it cannot be resolved (then it does not match anyway). */
function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * Refuses an environment whose interpreter does not run in it. A venv whose pyvenv.cfg vanished
 * runs as its base interpreter: installing there, or removing "extraneous" packages, would change
 * the system's Python instead of the environment.
 */
export function assertRunsIn(root: string, interpreter: Interpreter): void {
  if (real(interpreter.facts.prefix) === real(root)) return;
  throw new ZephyrError(
    'ZE_ENVIRONMENT_MISMATCH',
    `${root} is not a working environment: its interpreter runs with prefix ${interpreter.facts.prefix}${existsSync(join(root, 'pyvenv.cfg')) ? '' : ' (pyvenv.cfg is missing)'}; nothing was changed`,
    `recreate it with \`zephyr venv ${root}\``,
  );
}

export async function findEnvironment(cwd: string, env: NodeJS.ProcessEnv, cacheDir: string): Promise<Environment> {
  const active = env.VIRTUAL_ENV;
  const root = active && active.length > 0 ? resolve(active) : nearestVenv(cwd);
  if (!root) {
    throw new ZephyrError(
      'ZE_NO_ENVIRONMENT',
      `no virtual environment found: VIRTUAL_ENV is not set and there is no .venv in ${resolve(cwd)} or its parents`,
      'create one with `zephyr venv` (then it is found automatically), or activate one',
    );
  }
  const python = pythonIn(root);
  if (!existsSync(python)) {
    throw new ZephyrError('ZE_BROKEN_ENVIRONMENT', `${root} has no interpreter at ${python}`, `recreate it with \`zephyr venv ${root}\``);
  }
  const interpreter = await queryInterpreter(python, cacheDir);
  assertRunsIn(root, interpreter);
  return { root, interpreter };
}
