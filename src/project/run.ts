// `zephyr run`: a command in the project's environment (its bin/ first on
// PATH, VIRTUAL_ENV set), with signals passed on and its exit code returned.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { BIN_NAME } from '../python/venv.js';
import { ZephyrError } from '../ui/errors.js';
import type { Project } from './pyproject.js';

export function projectEnvironment(project: Project): string {
  return join(project.root, '.venv');
}

export function runInProject(project: Project, command: readonly string[]): Promise<number> {
  const venv = projectEnvironment(project);
  if (!existsSync(venv)) {
    throw new ZephyrError('ZE_NO_ENVIRONMENT', `the project has no environment at ${venv}`, 'run `zephyr sync` first (or drop --no-sync)');
  }
  const [program, ...args] = command;
  if (program === undefined) throw new ZephyrError('ZE_USAGE', 'no command to run', 'zephyr run python main.py');
  const env: NodeJS.ProcessEnv = { ...process.env, VIRTUAL_ENV: venv, PATH: `${join(venv, BIN_NAME)}${delimiter}${process.env.PATH ?? ''}` };
  delete env.PYTHONHOME;
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: 'inherit', env, cwd: process.cwd() });
    // Ctrl-C reaches the child from the terminal (same process group): zephyr only waits for it
    // to finish (a handler keeps Node from exiting). A SIGTERM sent to zephyr alone is passed on.
    const ignore = (): void => undefined;
    const forward = (signal: NodeJS.Signals): void => {
      child.kill(signal);
    };
    process.on('SIGINT', ignore);
    process.on('SIGTERM', forward);
    child.on('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'ENOENT'
          ? new ZephyrError('ZE_COMMAND_NOT_FOUND', `\`${program}\` was not found in the project environment or on PATH`, `add the package that provides it (zephyr add ${program}), or check the spelling`)
          : err,
      );
    });
    child.on('close', (code, signal) => {
      process.off('SIGINT', ignore);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal ? 128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 9) : 1));
    });
  });
}
