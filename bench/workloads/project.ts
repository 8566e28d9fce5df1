// The project workflow on a real requirement set turned into a pyproject.toml:
// `zephyr lock` vs `uv lock` (universal, cold and warm cache), `zephyr sync --frozen`
// vs `uv sync --frozen` into a fresh project environment (warm cache), and a sync with
// nothing to do (`zephyr sync` vs `uv sync` on an environment that already matches).

import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { freshDir, keptDir, removeDir, toolEnv, type Context } from '../lib/context.js';
import { SETS_DIR } from '../lib/paths.js';
import type { Cmd } from '../lib/proc.js';
import type { Row, Workload } from '../lib/runner.js';

type Tool = 'zephyr' | 'uv';
const TOOLS: readonly Tool[] = ['zephyr', 'uv'];
const LOCK: Record<Tool, string> = { zephyr: 'zephyr.lock', uv: 'uv.lock' };

/** A pyproject.toml whose dependencies are the set's requirement lines. */
function pyprojectText(set: string): string {
  const deps = readFileSync(set, 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter((l) => l.length > 0 && !l.startsWith('-'));
  return `[project]\nname = "bench-project"\nversion = "0.1.0"\nrequires-python = ">=3.9"\ndependencies = [\n${deps.map((d) => `  ${JSON.stringify(d)},`).join('\n')}\n]\n`;
}

function writeProject(dir: string, text: string): void {
  writeFileSync(join(dir, 'pyproject.toml'), text);
}

function command(ctx: Context, tool: Tool, verb: 'lock' | 'sync' | 'sync-frozen', cwd: string, cache: string): Cmd {
  const t = ctx.tools;
  const base = { cwd, timeoutMs: ctx.timeoutMs };
  const frozen = verb === 'sync-frozen' ? ['--frozen'] : [];
  const action = verb === 'lock' ? 'lock' : 'sync';
  if (tool === 'zephyr') {
    return { ...base, argv: [...t.zephyr, action, ...frozen, '--python', t.python.path, '--no-config'], env: toolEnv({ ZEPHYR_CACHE_DIR: cache }) };
  }
  return { ...base, argv: [t.uv, action, ...frozen, '--python', t.python.path], env: toolEnv({ UV_CACHE_DIR: cache }) };
}

/** A project folder per tool with its lock (made once, untimed), for the sync rows. */
function primed(ctx: Context, name: string, tool: Tool, text: string, cache: string): string {
  const dir = keptDir('projects', name, 'primed', tool);
  if (!existsSync(join(dir, LOCK[tool]))) {
    writeProject(dir, text);
    const cmd = command(ctx, tool, 'lock', dir, cache);
    const r = spawnSync(cmd.argv[0] ?? '', cmd.argv.slice(1), { cwd: dir, env: cmd.env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${tool} lock failed in ${dir}: ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`);
  }
  return dir;
}

function lockRows(ctx: Context, name: string, text: string, mode: 'cold' | 'warm'): Row[] {
  return TOOLS.map((tool): Row => {
    const runDir = (run: number): string[] => ['runs', name, `lock-${mode}`, `${tool}-${run}`];
    const coldCache = (run: number): string[] => ['caches', name, 'cold', `${tool}-${run}`];
    return {
      tool,
      prepare: (run) => {
        const dir = freshDir(...runDir(run));
        writeProject(dir, text);
        const cache = mode === 'warm' ? keptDir('caches', name, 'warm', tool) : freshDir(...coldCache(run));
        return command(ctx, tool, 'lock', dir, cache);
      },
      after: (run) => {
        removeDir(...runDir(run));
        if (mode === 'cold') removeDir(...coldCache(run));
      },
    };
  });
}

function syncRows(ctx: Context, name: string, text: string, noop: boolean): Row[] {
  return TOOLS.map((tool): Row => {
    const cache = (): string => keptDir('caches', name, 'warm', tool);
    const runDir = (run: number): string[] => ['runs', name, noop ? 'noop' : 'sync', `${tool}-${noop ? 'kept' : run}`];
    return {
      tool,
      prepare: (run) => {
        const from = primed(ctx, name, tool, text, cache());
        if (noop) {
          // One project kept across runs: the warmup syncs it, every timed run finds nothing to do.
          const dir = keptDir(...runDir(run));
          writeProject(dir, text);
          if (!existsSync(join(dir, LOCK[tool]))) copyFileSync(join(from, LOCK[tool]), join(dir, LOCK[tool]));
          return command(ctx, tool, 'sync', dir, cache());
        }
        const dir = freshDir(...runDir(run));
        writeProject(dir, text);
        copyFileSync(join(from, LOCK[tool]), join(dir, LOCK[tool]));
        return command(ctx, tool, 'sync-frozen', dir, cache());
      },
      after: (run) => {
        if (!noop) removeDir(...runDir(run));
      },
    };
  });
}

/** `set` is a file name in bench/sets, or a path; `withSync` adds the sync tables (downloads every wheel). */
export function project(ctx: Context, name: string, setFile: string, withSync: boolean): Workload[] {
  const set = isAbsolute(setFile) ? setFile : join(SETS_DIR, setFile);
  if (!existsSync(set)) throw new Error(`requirement set missing: ${set}`);
  const text = pyprojectText(set);
  const runs = ctx.runs ?? 3;
  const clean = (): void => {
    removeDir('caches', name);
    removeDir('runs', name);
    removeDir('projects', name);
  };
  const keepCaches = (): void => removeDir('runs', name);
  const out: Workload[] = [
    { title: `${name}: lock (cold cache)`, warmups: 0, runs, rows: lockRows(ctx, name, text, 'cold'), setup: clean },
    { title: `${name}: lock (warm cache)`, warmups: 1, runs, rows: lockRows(ctx, name, text, 'warm'), teardown: keepCaches },
  ];
  if (withSync) {
    out.push(
      { title: `${name}: sync into a new environment (warm cache)`, warmups: 1, runs, rows: syncRows(ctx, name, text, false), teardown: keepCaches },
      { title: `${name}: sync with nothing to do`, warmups: 1, runs: Math.max(runs, 10), rows: syncRows(ctx, name, text, true), teardown: clean },
    );
  } else {
    out[out.length - 1] = { ...(out[out.length - 1] as Workload), teardown: clean };
  }
  return out;
}
