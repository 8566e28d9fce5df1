// What every workload gets: the tools, the Python, and a clean environment per tool.

import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { WORK_DIR } from './paths.js';
import type { Tools } from './tools.js';

export interface Context {
  tools: Tools;
  /** --runs if given. */
  runs: number | undefined;
  timeoutMs: number;
}

/** The process environment without an outer venv, with tool config files and Python downloads off. */
export function toolEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', UV_NO_CONFIG: '1', UV_PYTHON_DOWNLOADS: 'never' };
  delete env.VIRTUAL_ENV;
  delete env.CONDA_PREFIX;
  delete env.PYTHONHOME;
  delete env.PYTHONPATH;
  return { ...env, ...extra };
}

/** A fresh, empty folder under bench/.work. */
export function freshDir(...parts: string[]): string {
  const dir = join(WORK_DIR, ...parts);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function removeDir(...parts: string[]): void {
  rmSync(join(WORK_DIR, ...parts), { recursive: true, force: true });
}

/** A folder under bench/.work, created if missing and kept as it is otherwise (a warm cache). */
export function keptDir(...parts: string[]): string {
  const dir = join(WORK_DIR, ...parts);
  mkdirSync(dir, { recursive: true });
  return dir;
}
