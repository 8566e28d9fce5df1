// The project workflow on a real set: a pyproject.toml whose dependencies are a
// requirement set, then `lock` (cold and warm cache, no previous lock), `sync` into
// an empty environment (warm cache, lock present) and a no-op `sync` (everything in
// place), zephyr beside uv. Both tools lock universally (every platform and Python
// that requires-python allows) and use the benchmark's Python for the environment.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { freshDir, keptDir, removeDir, toolEnv, type Context } from '../lib/context.js';
import { SETS_DIR } from '../lib/paths.js';
import type { Cmd } from '../lib/proc.js';
import type { Row, Workload } from '../lib/runner.js';

type Tool = 'zephyr' | 'uv';
const TOOLS: readonly Tool[] = ['zephyr', 'uv'];
type Step = 'lock' | 'sync';

const LOCKS: Record<Tool, string> = { zephyr: 'zephyr.lock', uv: 'uv.lock' };

/** The requirements of a set file (comments and options dropped). */
function requirementsOf(set: string): string[] {
  return readFileSync(set, 'utf8')
    .split('\n')
    .map((l) => l.replace(/(^|\s)#.*$/, '').trim())
    .filter((l) => l !== '' && !l.startsWith('-'));
}

/** A project folder for one tool: pyproject.toml (an application: nothing to build) and .python-version. */
function writeProject(dir: string, name: string, requirements: string[], pythonMinor: string): void {
  const deps = requirements.map((r) => `    ${JSON.stringify(r)},\n`).join('');
  writeFileSync(
    join(dir, 'pyproject.toml'),
    `[project]\nname = ${JSON.stringify(name)}\nversion = "0.1.0"\nrequires-python = ">=${pythonMinor}"\ndependencies = [\n${deps}]\n`,
  );
  writeFileSync(join(dir, '.python-version'), `${pythonMinor}\n`);
}

function command(ctx: Context, tool: Tool, step: Step, dir: string, cache: string): Cmd {
  const base = { cwd: dir, timeoutMs: ctx.timeoutMs };
  const python = ctx.tools.python.path;
  if (tool === 'zephyr') {
    return { ...base, argv: [...ctx.tools.zephyr, step, '--no-config'], env: toolEnv({ ZEPHYR_CACHE_DIR: cache, ZEPHYR_PYTHON: python }) };
  }
  return { ...base, argv: [ctx.tools.uv, step], env: toolEnv({ UV_CACHE_DIR: cache, UV_PYTHON: python }) };
}

/** Untimed: a step that prepares the timed one; fails loudly so that no row times a broken setup. */
function run(cmd: Cmd): void {
  const [exe, ...args] = cmd.argv;
  if (exe === undefined) throw new Error('empty command');
  const r = spawnSync(exe, args, { cwd: cmd.cwd, env: cmd.env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd.argv.join(' ')} (in ${cmd.cwd ?? '.'}) exited with ${r.status}:\n${`${r.stdout ?? ''}${r.stderr ?? ''}`.trim()}`);
}

export function project(ctx: Context, name: string, setFile: string): Workload[] {
  const set = isAbsolute(setFile) ? setFile : join(SETS_DIR, setFile);
  if (!existsSync(set)) throw new Error(`requirement set missing: ${set}`);
  const requirements = requirementsOf(set);
  const minor = ctx.tools.python.version.split('.').slice(0, 2).join('.');
  const runs = ctx.runs ?? 3;
  const warmCache = (tool: Tool): string => keptDir('caches', name, 'warm', tool);
  /** The tool's project folder, kept across runs (its lock is the input of the sync rows). */
  const projectDir = (tool: Tool): string => keptDir('runs', name, tool);
  const clean = (): void => {
    removeDir('caches', name);
    removeDir('runs', name);
  };
  const setup = (): void => {
    clean();
    for (const tool of TOOLS) writeProject(projectDir(tool), name, requirements, minor);
  };

  const lockRows = (mode: 'cold' | 'warm'): Row[] =>
    TOOLS.map((tool): Row => ({
      tool,
      prepare: (n) => {
        const dir = projectDir(tool);
        rmSync(join(dir, LOCKS[tool]), { force: true });
        const cache = mode === 'warm' ? warmCache(tool) : freshDir('caches', name, 'cold', `${tool}-${n}`);
        return command(ctx, tool, 'lock', dir, cache);
      },
      after: (n) => {
        if (mode === 'cold') removeDir('caches', name, 'cold', `${tool}-${n}`);
      },
    }));

  const syncRows = (mode: 'empty' | 'noop'): Row[] =>
    TOOLS.map((tool): Row => ({
      tool,
      prepare: () => {
        const dir = projectDir(tool);
        const cmd = command(ctx, tool, 'sync', dir, warmCache(tool));
        if (!existsSync(join(dir, LOCKS[tool]))) run(command(ctx, tool, 'lock', dir, warmCache(tool)));
        if (mode === 'empty') rmSync(join(dir, '.venv'), { recursive: true, force: true });
        else run(cmd); // untimed: brings the environment in line, so the timed sync has nothing to do
        return cmd;
      },
    }));

  // The warm lock rows leave each tool's lock in its project folder: the sync rows start from it.
  return [
    { title: `${name}: lock (cold cache)`, warmups: 0, runs, rows: lockRows('cold'), setup },
    { title: `${name}: lock (warm cache)`, warmups: 1, runs, rows: lockRows('warm') },
    { title: `${name}: sync into an empty venv (warm cache)`, warmups: 1, runs, rows: syncRows('empty') },
    { title: `${name}: sync with nothing to do`, warmups: 1, runs: Math.max(runs, 10), rows: syncRows('noop'), teardown: clean },
  ];
}
