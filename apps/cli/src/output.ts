import { terminalLocale, translator, type Translate } from '@receipt-sync/core';

/** stdout carries results (JSON with --json); stderr carries progress and errors. */

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

export function printLine(text = ''): void {
  process.stdout.write(`${text}\n`);
}

export function progress(text: string): void {
  process.stderr.write(`${text}\n`);
}

/** Width in terminal columns: CJK characters take two. */
function width(text: string): number {
  let w = 0;
  for (const ch of text)
    w += /[\u1100-\u115F\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]/.test(ch)
      ? 2
      : 1;
  return w;
}

/** A plain aligned text table; long cells are cut so one record stays on one line. */
export function formatTable(headers: string[], rows: Array<Array<string | number | undefined>>, maxCell = 80): string {
  const cells = rows.map((r) =>
    headers.map((_, i) => {
      const v = r[i] === undefined ? '' : String(r[i]);
      return v.length > maxCell ? `${v.slice(0, maxCell - 1)}…` : v;
    }),
  );
  const widths = headers.map((h, i) => Math.max(width(h), ...cells.map((c) => width(c[i]!))));
  const line = (values: string[]) =>
    values
      .map((v, i) => (i === values.length - 1 ? v : v + ' '.repeat(widths[i]! - width(v))))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** Exits once everything written to stdout has been flushed (a pipe may still be draining). */
export function exitAfterFlush(code: number): void {
  process.stdout.write('', () => process.exit(code));
}

/** The terminal's language: `--lang zh-CN|en`, else LC_ALL / LC_MESSAGES / LANG (zh_* → Chinese), else English. */
export function terminalT(): Translate {
  return translator(terminalLocale(process.env, process.argv));
}
