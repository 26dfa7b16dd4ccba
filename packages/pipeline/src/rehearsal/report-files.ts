import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Translate } from '@receipt-sync/core';
import { rehearsalCsv } from './report-csv';
import type { FieldLabels } from './report-text';
import { rehearsalHtml } from './report-html';
import type { RehearsalReport, RehearsalTotals } from './run-rehearsal';

/** Writes rehearsal.csv and rehearsal.html into `dir` (created when missing); returns their paths. */
export async function writeRehearsalFiles(
  report: RehearsalReport,
  dir: string,
  labels: FieldLabels,
  t: Translate,
): Promise<{ csv: string; html: string }> {
  await mkdir(dir, { recursive: true });
  const csv = join(dir, 'rehearsal.csv');
  const html = join(dir, 'rehearsal.html');
  await writeFile(csv, rehearsalCsv(report, labels, t), 'utf8');
  await writeFile(html, rehearsalHtml(report, labels, t), 'utf8');
  return { csv, html };
}

/** The `--json` summary line, keys as the operating contract names them. */
export function rehearsalSummary(totals: RehearsalTotals) {
  return {
    receipts: totals.receipts,
    insert: totals.insert,
    update: totals.update,
    unchanged: totals.unchanged,
    flagRemoved: totals['flag-removed'],
    move: totals.move,
    wait: totals.wait,
    quarantine: totals.quarantine,
  };
}
