// Round-robin timing: every run times each row once, in a rotated order, so that
// all tools share the machine's noise instead of one tool getting a quiet minute.

import { runTimed, type Cmd, type Sample } from './proc.js';
import type { RowResult } from './stats.js';

export interface Row {
  tool: string;
  /** Set when the row cannot run; it is reported with this note and no numbers. */
  unavailable?: string;
  /** Build the command for a run (untimed: may create folders). Warmups get negative numbers. */
  prepare(run: number): Cmd;
  /** Untimed clean-up after a run. */
  after?(run: number): void;
}

export interface Workload {
  /** Table title, e.g. "compile-web (cold cache)". */
  title: string;
  rows: Row[];
  /** Untimed runs of every row before timing. */
  warmups: number;
  runs: number;
  setup?(): void;
  teardown?(): void;
}

function log(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`);
}

function firstLines(s: string, n = 6): string {
  return s.trim().split('\n').slice(-n).join('\n    ');
}

export async function runWorkload(w: Workload): Promise<RowResult[]> {
  w.setup?.();
  const results = new Map<Row, RowResult>();
  const live: Row[] = [];
  for (const row of w.rows) {
    results.set(row, { tool: row.tool, samples: [], ...(row.unavailable ? { note: row.unavailable } : {}) });
    if (row.unavailable) log(`${w.title}: ${row.tool}: ${row.unavailable}`);
    else live.push(row);
  }

  for (let k = 1; k <= w.warmups; k++) {
    for (const row of [...live]) {
      log(`${w.title}: warmup ${k}/${w.warmups} ${row.tool}`);
      const s = await runTimed(row.prepare(-k));
      row.after?.(-k);
      if (!s.ok) {
        log(`${w.title}: ${row.tool} failed in warmup (exit ${s.code}); dropping it:\n    ${firstLines(s.tail)}`);
        const r = results.get(row);
        if (r) r.note = `failed (exit ${s.code})`;
        live.splice(live.indexOf(row), 1);
      }
    }
  }

  for (let i = 0; i < w.runs; i++) {
    const order = live.map((_, j) => live[(i + j) % live.length]).filter((r): r is Row => r !== undefined);
    const line: string[] = [];
    for (const row of order) {
      const s: Sample = await runTimed(row.prepare(i));
      row.after?.(i);
      results.get(row)?.samples.push(s);
      line.push(`${row.tool} ${s.ok ? `${s.ms.toFixed(0)}ms` : `FAILED(${s.code})`}`);
      if (!s.ok) log(`${w.title}: ${row.tool} run ${i + 1} failed:\n    ${firstLines(s.tail)}`);
    }
    log(`${w.title}: run ${i + 1}/${w.runs}: ${line.join(', ')}`);
  }
  w.teardown?.();
  return w.rows.map((r) => results.get(r)).filter((r): r is RowResult => r !== undefined);
}
