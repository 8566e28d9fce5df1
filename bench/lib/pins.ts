// Do zephyr and uv pick the same versions? One run of each on the same set,
// pins compared name by name. Printed beside the timing tables.

import { spawnSync } from 'node:child_process';
import { keptDir, toolEnv, type Context } from './context.js';

function pins(argv: string[], env: NodeJS.ProcessEnv): Map<string, string> | string {
  const r = spawnSync(argv[0] ?? 'false', argv.slice(1), { encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) return `exit ${String(r.status)}: ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`;
  const found = new Map<string, string>();
  for (const line of (r.stdout ?? '').split('\n')) {
    const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)/.exec(line);
    if (m?.[1] && m[2]) found.set(m[1].toLowerCase().replace(/[-_.]+/g, '-'), m[2]);
  }
  return found;
}

/** A Markdown line saying whether the two tools agree, and where they do not. */
export function comparePins(ctx: Context, name: string, set: string, pythonVersion: string): string {
  const common = ['pip', 'compile', set, '--python-version', pythonVersion, '--no-header', '--no-annotate'];
  const zephyr = pins([...ctx.tools.zephyr, ...common, '--no-config'], toolEnv({ ZEPHYR_CACHE_DIR: keptDir('caches', name, 'pins', 'zephyr') }));
  const uv = pins([ctx.tools.uv, ...common, '--python', ctx.tools.python.path], toolEnv({ UV_CACHE_DIR: keptDir('caches', name, 'pins', 'uv') }));
  if (typeof zephyr === 'string') return `**${name}**: zephyr failed (${zephyr})`;
  if (typeof uv === 'string') return `**${name}**: uv failed (${uv})`;
  const names = [...new Set([...zephyr.keys(), ...uv.keys()])].sort();
  const differ = names.filter((n) => zephyr.get(n) !== uv.get(n)).map((n) => `${n}: zephyr ${zephyr.get(n) ?? '-'}, uv ${uv.get(n) ?? '-'}`);
  return differ.length === 0
    ? `**${name}**: zephyr and uv pin the same ${names.length} packages`
    : `**${name}**: ${differ.length} of ${names.length} pins differ — ${differ.join('; ')}`;
}
