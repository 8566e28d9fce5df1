// `--version` of each tool: process start-up cost, nothing else.

import { toolEnv, type Context } from '../lib/context.js';
import type { Workload } from '../lib/runner.js';

export function startup(ctx: Context): Workload[] {
  const env = toolEnv({});
  const t = ctx.tools;
  const row = (tool: string, argv: readonly string[]) => ({ tool, prepare: () => ({ argv, env, timeoutMs: ctx.timeoutMs }) });
  return [
    {
      title: 'startup (`--version`)',
      warmups: 1,
      runs: ctx.runs ?? 10,
      rows: [
        row('zephyr', [...t.zephyr, '--version']),
        row('uv', [t.uv, '--version']),
        row('pip', [t.pip, '--version']),
        // The cost of spawning anything at all through the harness (and GNU time), for reference.
        row('(floor: true)', ['true']),
        // What any Node CLI pays before its own code runs: the share of zephyr's start-up it cannot cut.
        row('(floor: node -e 0)', [process.execPath, '-e', '0']),
      ],
    },
  ];
}
