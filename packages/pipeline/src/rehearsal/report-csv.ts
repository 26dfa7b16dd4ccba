import type { Translate } from '@receipt-sync/core';
import { REPORT_COLUMNS, reportCells, type FieldLabels } from './report-text';
import type { RehearsalReport } from './run-rehearsal';

/** Excel reads a CSV as UTF-8 (Chinese intact) only when it starts with this byte-order mark. */
const BOM = '\uFEFF';

const cell = (value: string): string => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

/**
 * rehearsal.csv: one row per receipt (receipt no, id, collection date, amount, currency, OKKI order
 * id, FBillNo, document status, action, reason, changed fields); headers in the reader's language,
 * actions as the operating contract names them.
 */
export function rehearsalCsv(report: RehearsalReport, labels: FieldLabels, t: Translate): string {
  const headers = REPORT_COLUMNS.map((k) => t(`rehearsal.${k}`));
  const lines = report.rows.map((r) => {
    const cells = reportCells(r, labels, t);
    return REPORT_COLUMNS.map((k) => cell(cells[k])).join(',');
  });
  return `${BOM}${[headers.map(cell).join(','), ...lines].join('\r\n')}\r\n`;
}
