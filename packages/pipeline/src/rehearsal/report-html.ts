import { formatMoney, type Translate } from '@receipt-sync/core';
import { REHEARSAL_ACTIONS } from '../decide';
import { moneyByAction, REPORT_COLUMNS, reportCells, type FieldLabels } from './report-text';
import type { RehearsalReport, RehearsalRow } from './run-rehearsal';

const escape = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const row = (cells: string[], tag = 'td'): string =>
  `<tr>${cells.map((c) => `<${tag}>${escape(c)}</${tag}>`).join('')}</tr>`;

/**
 * rehearsal.html for finance: the totals first (receipts and money per action and currency), then
 * the receipts grouped by action, field names with their mapping labels, in the reader's language.
 * One self-contained file (no script, no outside resource).
 */
export function rehearsalHtml(report: RehearsalReport, labels: FieldLabels, t: Translate): string {
  const money = moneyByAction(report.rows);
  const totals = REHEARSAL_ACTIONS.map((action) =>
    row([
      t(`rehearsal.actions.${action}`),
      String(report.totals[action]),
      [...(money.get(action) ?? new Map()).entries()].map(([c, sum]) => `${formatMoney(sum)} ${c}`).join(' · '),
    ]),
  );
  const groups = REHEARSAL_ACTIONS.filter((a) => report.totals[a] > 0).map((action) =>
    group(
      action,
      report.rows.filter((r) => r.action === action),
      labels,
      t,
    ),
  );
  const title = t('rehearsal.title');
  return `<!doctype html>
<html lang="${t.locale}">
<head><meta charset="utf-8"><title>${escape(title)}</title>
<style>
body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;margin:24px;color:#222}
table{border-collapse:collapse;margin:8px 0 24px}th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.num{text-align:right}p.note{color:#555}
</style></head>
<body>
<h1>${escape(title)}</h1>
<p class="note">${escape(t('rehearsal.window', { start: report.window.start, end: report.window.end, at: report.finishedAt }))}</p>
<h2>${escape(t('rehearsal.totals'))}</h2>
<table>${row([t('rehearsal.action'), t('rehearsal.receipts'), t('rehearsal.money')], 'th')}${totals.join('')}
${row(['Σ', String(report.totals.receipts), ''], 'th')}</table>
${groups.join('\n') || `<p>${escape(t('rehearsal.none'))}</p>`}
</body></html>
`;
}

/** The receipts of one action: every column but the action, the document status in words. */
const GROUP_COLUMNS = REPORT_COLUMNS.filter((k) => k !== 'action');

function group(action: string, rows: RehearsalRow[], labels: FieldLabels, t: Translate): string {
  const headers = GROUP_COLUMNS.map((k) => t(`rehearsal.${k}`));
  const body = rows.map((r) => {
    const cells = reportCells(r, labels, t, true);
    return row(GROUP_COLUMNS.map((k) => cells[k]));
  });
  return `<h2 id="${action}">${escape(t(`rehearsal.actions.${action}`))} (${rows.length})</h2>
<table>${row(headers, 'th')}${body.join('')}</table>`;
}
