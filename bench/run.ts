// zephyr benchmarks: `npm run bench -- [workload...] [--runs N] [--python PATH] [--timeout SECONDS]`
// Compares zephyr with uv, pip, virtualenv and pip-tools on this machine, in one run.

import { cpus, platform, release } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from './lib/context.js';
import { SHARED_SETS_DIR, WORK_DIR } from './lib/paths.js';
import { hasGnuTime } from './lib/proc.js';
import { findPython } from './lib/python.js';
import { runWorkload, type Workload } from './lib/runner.js';
import { markdownTable, summarize, type RowSummary } from './lib/stats.js';
import { setupTools } from './lib/tools.js';
import { compile } from './workloads/compile.js';
import { install } from './workloads/install.js';
import { project } from './workloads/project.js';
import { buildSdists } from './workloads/sdists.js';
import { startup } from './workloads/startup.js';
import { venv } from './workloads/venv.js';

const WORKLOADS: Record<string, (ctx: Context) => Workload[]> = {
  startup,
  venv,
  'compile-web': (ctx) => compile(ctx, 'compile-web', 'web.in'),
  'compile-ml': (ctx) => compile(ctx, 'compile-ml', 'ml.in'),
  'install-web': (ctx) => install(ctx, 'install-web', 'web.in'),
  'install-ml': (ctx) => install(ctx, 'install-ml', 'ml.in'),
  'project-web': (ctx) => project(ctx, 'project-web', 'web.in'),
  'project-ml': (ctx) => project(ctx, 'project-ml', 'ml.in'),
  'project-data': (ctx) => project(ctx, 'project-data', 'data.in'),
  'build-sdists': buildSdists,
  // Opt-in: the shared sets uv publishes its own numbers for (airflow is large and slow for pip-tools).
  'compile-trio': (ctx) => compile(ctx, 'compile-trio', join(SHARED_SETS_DIR, 'trio.in')),
  'compile-boto3': (ctx) => compile(ctx, 'compile-boto3', join(SHARED_SETS_DIR, 'boto3.in')),
  'compile-airflow': (ctx) => compile(ctx, 'compile-airflow', join(SHARED_SETS_DIR, 'airflow.in')),
};
// install-ml is opt-in: torch and its CUDA wheels make it minutes per round and GBs of disk.
const DEFAULT_WORKLOADS = ['startup', 'venv', 'compile-web', 'compile-ml', 'install-web'];

interface Args {
  workloads: string[];
  runs: number | undefined;
  python: string | undefined;
  timeoutMs: number;
}

const USAGE = `usage: npm run bench -- [workload...] [--runs N] [--python PATH] [--timeout SECONDS]
workloads: ${Object.keys(WORKLOADS).join(', ')}
           (default: ${DEFAULT_WORKLOADS.join(' ')})
--runs N      timed runs per tool (default 10 for startup/venv, 3 for compile/install)
--python P    the interpreter every tool uses (default: python3.12 on PATH, else pyenv's newest 3.12)
--timeout S   kill a single run after S seconds (default 900)`;

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { workloads: [], runs: undefined, python: undefined, timeoutMs: 900_000 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value\n${USAGE}`);
      return v;
    };
    const positive = (v: string): number => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new Error(`${a} needs a positive integer, got ${v}`);
      return n;
    };
    if (a === '--runs') args.runs = positive(value());
    else if (a.startsWith('--runs=')) args.runs = positive(a.slice(7));
    else if (a === '--python') args.python = value();
    else if (a === '--timeout') args.timeoutMs = positive(value()) * 1000;
    else if (a === '-h' || a === '--help') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else if (a in WORKLOADS) args.workloads.push(a);
    else throw new Error(`unknown workload or option: ${a}\n${USAGE}`);
  }
  if (args.workloads.length === 0) args.workloads = DEFAULT_WORKLOADS;
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const python = findPython(args.python);
  const tools = setupTools(python);
  if (!hasGnuTime()) process.stderr.write('[bench] /usr/bin/time (GNU) not found: peak RSS will be n/a\n');
  const ctx: Context = { tools, runs: args.runs, timeoutMs: args.timeoutMs };

  const tables: { title: string; rows: RowSummary[]; samples: { tool: string; ms: number[]; rssKb: (number | null)[]; ok: boolean[] }[] }[] = [];
  const started = new Date();
  const out: string[] = [
    `## zephyr benchmarks — ${started.toISOString()}`,
    '',
    `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${platform()} ${release()}; ` +
      Object.entries(tools.versions)
        .map(([k, v]) => `${k}: ${v}`)
        .join('; '),
    '',
    'Wall time includes process spawn; peak RSS is GNU time\'s %M for the timed process (for zephyr: the node process).',
  ];
  process.stdout.write(`${out.join('\n')}\n\n`);
  for (const name of args.workloads) {
    const make = WORKLOADS[name];
    if (!make) continue;
    for (const w of make(ctx)) {
      const results = await runWorkload(w);
      const rows = summarize(results);
      const samples = results.map((r) => ({
        tool: r.tool,
        ms: r.samples.map((x) => Math.round(x.ms * 10) / 10),
        rssKb: r.samples.map((x) => x.rssKb),
        ok: r.samples.map((x) => x.ok),
      }));
      tables.push({ title: w.title, rows, samples });
      process.stdout.write(`${markdownTable(w.title, rows)}\n\n`);
    }
  }

  mkdirSync(WORK_DIR, { recursive: true });
  const file = join(WORK_DIR, `results-${started.toISOString().replace(/[:.]/g, '-')}.json`);
  const json = {
    started: started.toISOString(),
    finished: new Date().toISOString(),
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? null, platform: platform(), release: release() },
    versions: tools.versions,
    args: { workloads: args.workloads, runs: args.runs ?? null },
    tables,
  };
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  process.stderr.write(`[bench] results written to ${file}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`[bench] error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
