// Building real sdists with their real backends (setuptools, hatchling, flit-core, …):
// `pip install --no-binary NAME…` of the packages in sets/sdists.in into a fresh venv,
// cold cache, zephyr beside uv and pip. Then, once, the installed files of zephyr's
// environment are compared with pip's, package by package (the live check of issue 6).

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freshDir, removeDir, toolEnv, type Context } from '../lib/context.js';
import { SETS_DIR } from '../lib/paths.js';
import type { Cmd } from '../lib/proc.js';
import type { Row, Workload } from '../lib/runner.js';

type Tool = 'zephyr' | 'uv' | 'pip';
const TOOLS: readonly Tool[] = ['zephyr', 'uv', 'pip'];

function setNames(set: string): string[] {
  return readFileSync(set, 'utf8')
    .split('\n')
    .map((l) => l.replace(/(^|\s)#.*$/, '').trim())
    .filter((l) => l !== '' && !l.startsWith('-'));
}

function makeVenv(ctx: Context, dir: string): void {
  const r = spawnSync(ctx.tools.python.path, ['-m', 'venv', '--without-pip', dir], { encoding: 'utf8', env: toolEnv({}) });
  if (r.status !== 0) throw new Error(`python -m venv --without-pip ${dir} failed: ${(r.stderr ?? '').trim()}`);
}

/** Only the named packages come from sdists; their build requirements may be wheels (as users run it). */
function command(ctx: Context, tool: Tool, set: string, names: string[], venv: string, cache: string, cwd: string): Cmd {
  const noBinary = names.flatMap((n) => ['--no-binary', n]);
  const base = { cwd, timeoutMs: ctx.timeoutMs };
  switch (tool) {
    case 'zephyr':
      return { ...base, argv: [...ctx.tools.zephyr, 'pip', 'install', '-r', set, ...noBinary, '--no-config'], env: toolEnv({ VIRTUAL_ENV: venv, ZEPHYR_CACHE_DIR: cache }) };
    case 'uv':
      return { ...base, argv: [ctx.tools.uv, 'pip', 'install', '-r', set, ...noBinary], env: toolEnv({ VIRTUAL_ENV: venv, UV_CACHE_DIR: cache }) };
    case 'pip':
      return {
        ...base,
        argv: [ctx.tools.pip, '--python', join(venv, 'bin', 'python'), 'install', '-r', set, ...noBinary, '--no-compile', '--disable-pip-version-check'],
        env: toolEnv({ PIP_CACHE_DIR: cache }),
      };
  }
}

const LIST_FILES = `
import importlib.metadata as m, json
skip = ("RECORD", "INSTALLER", "REQUESTED", "direct_url.json")
out = {}
for d in m.distributions():
    files = sorted(str(f) for f in (d.files or []) if not str(f).endswith(skip) and "__pycache__" not in str(f))
    out[d.metadata["Name"].lower().replace("_", "-")] = [d.version, files]
print(json.dumps(out))
`;

function installedFiles(venv: string): Record<string, [string, string[]]> | string {
  const r = spawnSync(join(venv, 'bin', 'python'), ['-c', LIST_FILES], { encoding: 'utf8', env: toolEnv({}) });
  if (r.status !== 0) return (r.stderr ?? '').trim();
  return JSON.parse(r.stdout) as Record<string, [string, string[]]>;
}

/** One untimed install with zephyr and one with pip, then their files compared, package by package. */
function compareWithPip(ctx: Context, set: string, names: string[]): string {
  const results: Partial<Record<Tool, Record<string, [string, string[]]> | string>> = {};
  for (const tool of ['zephyr', 'pip'] as const) {
    const dir = freshDir('runs', 'build-sdists', 'compare', tool);
    const venv = join(dir, 'venv');
    makeVenv(ctx, venv);
    const cmd = command(ctx, tool, set, names, venv, join(dir, 'cache'), dir);
    const r = spawnSync(cmd.argv[0] ?? 'false', cmd.argv.slice(1), { cwd: cmd.cwd, env: cmd.env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    results[tool] = r.status === 0 ? installedFiles(venv) : `exit ${String(r.status)}: ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`;
  }
  removeDir('runs', 'build-sdists', 'compare');
  const z = results.zephyr;
  const p = results.pip;
  if (typeof z !== 'object') return `**build-sdists**: zephyr failed (${z ?? 'no result'})`;
  if (typeof p !== 'object') return `**build-sdists**: pip failed (${p ?? 'no result'})`;
  const differ: string[] = [];
  for (const name of names.map((n) => n.toLowerCase().replace(/[_.]/g, '-'))) {
    const a = z[name];
    const b = p[name];
    if (!a || !b) differ.push(`${name}: ${a ? '' : 'missing with zephyr '}${b ? '' : 'missing with pip'}`);
    else if (a[0] !== b[0]) differ.push(`${name}: zephyr ${a[0]}, pip ${b[0]}`);
    else if (JSON.stringify(a[1]) !== JSON.stringify(b[1])) {
      const onlyZ = a[1].filter((f) => !b[1].includes(f));
      const onlyP = b[1].filter((f) => !a[1].includes(f));
      differ.push(`${name}: files differ (only zephyr: ${onlyZ.slice(0, 3).join(', ') || '-'}; only pip: ${onlyP.slice(0, 3).join(', ') || '-'})`);
    }
  }
  return differ.length === 0
    ? `**build-sdists**: zephyr and pip built and installed the same files for all ${names.length} packages`
    : `**build-sdists**: ${differ.length} of ${names.length} packages differ — ${differ.join('; ')}`;
}

export function buildSdists(ctx: Context): Workload[] {
  const set = join(SETS_DIR, 'sdists.in');
  const names = setNames(set).map((l) => /^[A-Za-z0-9._-]+/.exec(l)?.[0] ?? l);
  const runs = ctx.runs ?? 3;
  const rows = TOOLS.map(
    (tool): Row => ({
      tool,
      prepare: (run) => {
        const dir = freshDir('runs', 'build-sdists', `${tool}-${run}`);
        const venv = join(dir, 'venv');
        makeVenv(ctx, venv);
        return command(ctx, tool, set, names, venv, join(dir, 'cache'), dir);
      },
      after: (run) => removeDir('runs', 'build-sdists', `${tool}-${run}`),
    }),
  );
  const clean = (): void => removeDir('runs', 'build-sdists');
  return [
    {
      title: `build-sdists: ${names.length} packages from sdists, cold cache`,
      warmups: 0,
      runs,
      rows,
      setup: clean,
      teardown: () => {
        process.stdout.write(`${compareWithPip(ctx, set, names)}\n\n`);
        clean();
      },
    },
  ];
}
