// Summaries of samples and the Markdown table.

import type { Sample } from './proc.js';

export interface RowResult {
  tool: string;
  /** Why the row has no numbers (tool missing, command not implemented, every run failed). */
  note?: string;
  samples: Sample[];
}

export interface RowSummary {
  tool: string;
  note?: string;
  runs: number;
  failures: number;
  medianMs: number | null;
  minMs: number | null;
  maxMs: number | null;
  ratioToUv: number | null;
  peakRssMb: number | null;
}

export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const hi = s[mid];
  const lo = s[mid - 1];
  if (hi === undefined) return null;
  return s.length % 2 === 1 || lo === undefined ? hi : (lo + hi) / 2;
}

export function summarize(rows: readonly RowResult[]): RowSummary[] {
  const base = rows.map((r) => {
    const good = r.samples.filter((s) => s.ok);
    const ms = good.map((s) => s.ms);
    const rss = good.map((s) => s.rssKb).filter((v): v is number => v !== null);
    return {
      tool: r.tool,
      note: r.note ?? (r.samples.length > 0 && good.length === 0 ? 'every run failed' : undefined),
      runs: r.samples.length,
      failures: r.samples.length - good.length,
      medianMs: median(ms),
      minMs: ms.length ? Math.min(...ms) : null,
      maxMs: ms.length ? Math.max(...ms) : null,
      ratioToUv: null as number | null,
      peakRssMb: rss.length ? Math.max(...rss) / 1024 : null,
    };
  });
  const uv = base.find((r) => r.tool === 'uv')?.medianMs ?? null;
  for (const r of base) r.ratioToUv = uv !== null && uv > 0 && r.medianMs !== null ? r.medianMs / uv : null;
  return base;
}

const fmt = (v: number | null, digits: number): string => (v === null ? 'n/a' : v.toFixed(digits));

export function markdownTable(title: string, rows: readonly RowSummary[]): string {
  const out = [
    `### ${title}`,
    '',
    '| tool | median ms | min ms | max ms | ratio to uv | peak RSS MB | runs |',
    '|---|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of rows) {
    if (r.medianMs === null) {
      out.push(`| ${r.tool} | ${r.note ?? 'n/a'} | | | | | ${r.runs} |`);
      continue;
    }
    const runs = r.failures > 0 ? `${r.runs} (${r.failures} failed)` : `${r.runs}`;
    out.push(
      `| ${r.tool} | ${fmt(r.medianMs, 1)} | ${fmt(r.minMs, 1)} | ${fmt(r.maxMs, 1)} | ${fmt(r.ratioToUv, 2)} | ${fmt(r.peakRssMb, 1)} | ${runs} |`,
    );
  }
  return out.join('\n');
}
