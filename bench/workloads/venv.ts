// Creating a bare venv in a fresh folder: zephyr, uv, the stdlib venv module, virtualenv.

import { freshDir, removeDir, toolEnv, type Context } from '../lib/context.js';
import type { Row, Workload } from '../lib/runner.js';
import { join } from 'node:path';

export function venv(ctx: Context): Workload[] {
  const t = ctx.tools;
  const py = t.python.path;
  const env = toolEnv({
    ZEPHYR_CACHE_DIR: join(freshDir('caches', 'venv', 'zephyr')),
    UV_CACHE_DIR: join(freshDir('caches', 'venv', 'uv')),
    VIRTUALENV_OVERRIDE_APP_DATA: join(freshDir('caches', 'venv', 'virtualenv')),
  });
  const row = (tool: string, argv: (dir: string) => readonly string[]): Row => {
    const slug = tool.replace(/[^a-z0-9]+/gi, '-');
    return {
      tool,
      prepare: (run) => {
        const parent = freshDir('runs', 'venv', `${slug}-${run}`);
        return { argv: argv(join(parent, 'env')), env, cwd: parent, timeoutMs: ctx.timeoutMs };
      },
      after: (run) => removeDir('runs', 'venv', `${slug}-${run}`),
    };
  };
  return [
    {
      title: 'venv (create a bare venv in a fresh folder)',
      // The warmup fills zephyr's interpreter-facts cache (and uv's), as in everyday use.
      warmups: 1,
      runs: ctx.runs ?? 10,
      rows: [
        row('zephyr', (dir) => [...t.zephyr, 'venv', dir, '--python', py, '--no-config']),
        row('uv', (dir) => [t.uv, 'venv', dir, '--python', py]),
        row('python -m venv --without-pip', (dir) => [py, '-m', 'venv', '--without-pip', dir]),
        row('virtualenv --no-seed', (dir) => [t.virtualenv, '--no-seed', '--python', py, dir]),
      ],
      teardown: () => removeDir('runs', 'venv'),
    },
  ];
}
