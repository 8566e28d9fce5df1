// A plain text table as pip prints one: a header, a dashed rule, then rows,
// each column as wide as its widest cell.

export function renderTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join(' ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}
