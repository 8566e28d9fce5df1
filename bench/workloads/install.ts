// Installing a requirement set into a fresh, empty venv (`pip install -r SET`) from the
// default index, with a cold cache (fresh and empty every run) and a warm one (primed by
// an untimed warmup). The venv is made untimed before each run with the same Python for
// every tool (`python -m venv --without-pip`), and removed after it, with the cold cache.
// No tool compiles bytecode: uv and zephyr do not by default, pip gets --no-compile.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { freshDir, keptDir, removeDir, toolEnv, type Context } from '../lib/context.js';
import { SETS_DIR } from '../lib/paths.js';
import type { Cmd } from '../lib/proc.js';
import type { Row, Workload } from '../lib/runner.js';

type Tool = 'zephyr' | 'uv' | 'pip';
const TOOLS: readonly Tool[] = ['zephyr', 'uv', 'pip'];

function probeZephyr(ctx: Context): boolean {
  const r = spawnSync(ctx.tools.zephyr[0] ?? 'node', [...ctx.tools.zephyr.slice(1), 'pip', 'install', '--help'], {
    encoding: 'utf8',
    env: toolEnv({}),
  });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  return r.status === 0 && !/Command not found|unknown command/i.test(out);
}

/** A bare venv (no pip) at `dir`, made with the benchmark's Python; untimed. */
function makeVenv(ctx: Context, dir: string): void {
  const r = spawnSync(ctx.tools.python.path, ['-m', 'venv', '--without-pip', dir], { encoding: 'utf8', env: toolEnv({}) });
  if (r.status !== 0) throw new Error(`python -m venv --without-pip ${dir} failed: ${(r.stderr ?? '').trim()}`);
}

/** The command for one tool, given the target venv, its cache folder and a scratch cwd. */
function command(ctx: Context, tool: Tool, set: string, venv: string, cache: string, cwd: string): Cmd {
  const t = ctx.tools;
  const base = { cwd, timeoutMs: ctx.timeoutMs };
  switch (tool) {
    case 'zephyr':
      return {
        ...base,
        argv: [...t.zephyr, 'pip', 'install', '-r', set, '--no-config'],
        env: toolEnv({ VIRTUAL_ENV: venv, ZEPHYR_CACHE_DIR: cache }),
      };
    case 'uv':
      return {
        ...base,
        argv: [t.uv, 'pip', 'install', '-r', set],
        env: toolEnv({ VIRTUAL_ENV: venv, UV_CACHE_DIR: cache }),
      };
    case 'pip':
      // The venv has no pip of its own (--without-pip): the tool venv's pip installs into it
      // through --python, which re-runs pip under the venv's interpreter.
      return {
        ...base,
        argv: [t.pip, '--python', join(venv, 'bin', 'python'), 'install', '-r', set, '--no-compile', '--disable-pip-version-check'],
        env: toolEnv({ PIP_CACHE_DIR: cache }),
      };
  }
}

function rows(ctx: Context, name: string, set: string, mode: 'cold' | 'warm', zephyr: boolean): Row[] {
  return TOOLS.map((tool): Row => {
    const unavailable = tool === 'zephyr' && !zephyr ? 'not available yet' : undefined;
    const runDir = (run: number): string[] => ['runs', name, mode, `${tool}-${run}`];
    const coldCache = (run: number): string[] => ['caches', name, 'cold', `${tool}-${run}`];
    const prepare = (run: number): Cmd => {
      const dir = freshDir(...runDir(run));
      const venv = join(dir, 'venv');
      makeVenv(ctx, venv);
      const cache = mode === 'warm' ? keptDir('caches', name, 'warm', tool) : freshDir(...coldCache(run));
      return command(ctx, tool, set, venv, cache, dir);
    };
    const after = (run: number): void => {
      removeDir(...runDir(run));
      if (mode === 'cold') removeDir(...coldCache(run));
    };
    return { tool, ...(unavailable ? { unavailable } : {}), prepare, after };
  });
}

/** `set` is a file name in bench/sets, or a path. */
export function install(ctx: Context, name: string, setFile: string): Workload[] {
  const set = isAbsolute(setFile) ? setFile : join(SETS_DIR, setFile);
  if (!existsSync(set)) throw new Error(`requirement set missing: ${set}`);
  const zephyr = probeZephyr(ctx);
  if (!zephyr) process.stderr.write('[bench] zephyr: not available yet (`zephyr pip install` is not a command)\n');
  const runs = ctx.runs ?? 3;
  const clean = (): void => {
    removeDir('caches', name);
    removeDir('runs', name);
  };
  return [
    { title: `${name} (cold cache)`, warmups: 0, runs, rows: rows(ctx, name, set, 'cold', zephyr), setup: clean, teardown: clean },
    { title: `${name} (warm cache)`, warmups: 1, runs, rows: rows(ctx, name, set, 'warm', zephyr), setup: clean, teardown: clean },
  ];
}
