/** Plain tables: one model, printed aligned for people or as markdown for the README. */
export interface Table {
  title: string;
  headers: string[];
  /** 'r' right-aligns a column (numbers). */
  align: Array<'l' | 'r'>;
  rows: string[][];
  notes?: string[];
}

export function textTable(t: Table): string {
  const widths = t.headers.map((h, i) => Math.max(h.length, ...t.rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    '  ' +
    cells
      .map((c, i) => (t.align[i] === 'r' ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [
    t.title,
    line(t.headers),
    '  ' + widths.map((w) => '─'.repeat(w)).join('  '),
    ...t.rows.map(line),
    ...(t.notes ?? []).map((n) => `  ${n}`),
  ].join('\n');
}

export function markdownTable(t: Table): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [
    `#### ${t.title}`,
    '',
    `| ${t.headers.map(esc).join(' | ')} |`,
    `|${t.align.map((a) => (a === 'r' ? '---:' : '---')).join('|')}|`,
    ...t.rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
    // A note indented by two spaces continues the one above it: a nested item.
    ...(t.notes && t.notes.length > 0
      ? ['', ...t.notes.map((n) => (n.startsWith('  ') ? `  - ${n.trim()}` : `- ${n}`))]
      : []),
  ].join('\n');
}

export const fmt = {
  rate: (n: number | undefined) =>
    n === undefined || !Number.isFinite(n) ? '—' : n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2),
  pct: (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? '—' : `${(100 * n).toFixed(1)}%`),
  times: (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? '—' : `${n.toFixed(1)}×`),
  secs: (n: number | undefined) => (n === undefined ? '—' : n.toFixed(1)),
  mb: (n: number | undefined) => (n === undefined ? '—' : n.toFixed(0)),
  int: (n: number | undefined) => (n === undefined ? '—' : n.toLocaleString('en-US')),
};
