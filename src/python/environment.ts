// The environment a command acts on (DESIGN.md): `VIRTUAL_ENV`, else `.venv`
// in this folder or a parent, else a clear error that says how to make one.

import { existsSync } from 'node:fs';
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
  return { root, interpreter: await queryInterpreter(python, cacheDir) };
}
