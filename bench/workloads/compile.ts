// Resolving a requirement set to pins (`pip compile`) against the default index,
// with a cold cache (fresh and empty every run) and a warm one (primed by a warmup).

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { freshDir, keptDir, removeDir, toolEnv, type Context } from '../lib/context.js';
import { SETS_DIR } from '../lib/paths.js';
import { comparePins } from '../lib/pins.js';
import type { Cmd } from '../lib/proc.js';
import type { Row, Workload } from '../lib/runner.js';

const PYTHON_VERSION = '3.12';

interface ZephyrCompile {
  available: boolean;
  /** Whether `zephyr pip compile` takes --python (to use the same interpreter as the others). */
  takesPython: boolean;
}

function probeZephyr(ctx: Context): ZephyrCompile {
  const r = spawnSync(ctx.tools.zephyr[0] ?? 'node', [...ctx.tools.zephyr.slice(1), 'pip', 'compile', '--help'], {
    encoding: 'utf8',
    env: toolEnv({}),
  });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  const available = r.status === 0 && !/Command not found|unknown command/i.test(out);
  return { available, takesPython: /--python[ ,#]/.test(out) };
}

type Tool = 'zephyr' | 'uv' | 'pip-tools';

/** The command for one tool, given its cache folder and a scratch cwd. */
function command(ctx: Context, z: ZephyrCompile, tool: Tool, set: string, cache: string, cwd: string): Cmd {
  const t = ctx.tools;
  const py = t.python.path;
  const base = { cwd, timeoutMs: ctx.timeoutMs };
  switch (tool) {
    case 'zephyr':
      return {
        ...base,
        argv: [...t.zephyr, 'pip', 'compile', set, '--python-version', PYTHON_VERSION, '--no-config', ...(z.takesPython ? ['--python', py] : [])],
        env: toolEnv({ ZEPHYR_CACHE_DIR: cache }),
      };
    case 'uv':
      return {
        ...base,
        argv: [t.uv, 'pip', 'compile', set, '--python-version', PYTHON_VERSION, '--python', py],
        env: toolEnv({ UV_CACHE_DIR: cache }),
      };
    case 'pip-tools':
      // pip-tools resolves for the interpreter it runs under: the tool venv's Python 3.12.
      // Its output goes to a file in the fresh per-run folder, never to /dev/null: pip-tools
      // writes atomically (temp file + rename), which would replace /dev/null with a regular
      // file for the whole machine, and it reads an existing output file as preferred pins.
      return {
        ...base,
        argv: [t.pipCompile, set, '-o', join(cwd, 'requirements.txt'), '--cache-dir', join(cache, 'pip-tools')],
        env: toolEnv({ PIP_CACHE_DIR: join(cache, 'pip') }),
      };
  }
}

function rows(ctx: Context, z: ZephyrCompile, name: string, set: string, mode: 'cold' | 'warm'): Row[] {
  const tools: Tool[] = ['zephyr', 'uv', 'pip-tools'];
  return tools.map((tool): Row => {
    const scratch = ['runs', name, mode, tool];
    const unavailable = tool === 'zephyr' && !z.available ? 'not available yet' : undefined;
    if (mode === 'warm') {
      const cache = ['caches', name, 'warm', tool];
      return {
        tool,
        ...(unavailable ? { unavailable } : {}),
        prepare: () => command(ctx, z, tool, set, keptDir(...cache), freshDir(...scratch)),
        after: () => removeDir(...scratch),
      };
    }
    return {
      tool,
      ...(unavailable ? { unavailable } : {}),
      prepare: (run) => command(ctx, z, tool, set, freshDir('caches', name, 'cold', `${tool}-${run}`), freshDir(...scratch)),
      after: (run) => {
        removeDir('caches', name, 'cold', `${tool}-${run}`);
        removeDir(...scratch);
      },
    };
  });
}

/** `set` is a file name in bench/sets, or a path. */
export function compile(ctx: Context, name: string, setFile: string): Workload[] {
  const set = isAbsolute(setFile) ? setFile : join(SETS_DIR, setFile);
  if (!existsSync(set)) throw new Error(`requirement set missing: ${set}`);
  const z = probeZephyr(ctx);
  if (!z.available) process.stderr.write('[bench] zephyr: not available yet (`zephyr pip compile` is not a command)\n');
  if (z.available) process.stdout.write(`${comparePins(ctx, name, set, PYTHON_VERSION)}\n\n`);
  const runs = ctx.runs ?? 3;
  return [
    { title: `${name} (cold cache)`, warmups: 0, runs, rows: rows(ctx, z, name, set, 'cold'), teardown: () => removeDir('caches', name, 'cold') },
    {
      title: `${name} (warm cache)`,
      warmups: 1,
      runs,
      rows: rows(ctx, z, name, set, 'warm'),
      setup: () => removeDir('caches', name, 'warm'),
      teardown: () => removeDir('caches', name, 'warm'),
    },
  ];
}
