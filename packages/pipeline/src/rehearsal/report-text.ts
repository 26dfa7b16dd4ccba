import { Big, tryParseMoney, type Translate } from '@receipt-sync/core';
import type { Mapping } from '@receipt-sync/mapping';
import type { RehearsalAction } from '../decide';
import type { RehearsalRow } from './run-rehearsal';

/** K3Cloud field key → its label in the mapping (`F_PBLH_Decimal` → `实到账金额`), for the fields that have one. */
export type FieldLabels = Readonly<Record<string, string>>;

export function mappingLabels(mapping: Mapping): FieldLabels {
  return Object.fromEntries(mapping.fields.filter((f) => f.label).map((f) => [f.target, f.label!]));
}

/** Finance's words for a K3Cloud field: its label with the key (`实到账金额 F_PBLH_Decimal`). */
export function fieldLabel(labels: FieldLabels, target: string): string {
  const label = labels[target];
  return label ? `${label} ${target}` : target;
}

const shown = (v: unknown): string => (v === null || v === undefined || v === '' ? '∅' : String(v));

/** `实到账金额 F_PBLH_Decimal: 100 → 120.00; …` */
export function changesText(row: RehearsalRow, labels: FieldLabels): string {
  return (row.changes ?? []).map((c) => `${fieldLabel(labels, c.field)}: ${shown(c.from)} → ${shown(c.to)}`).join('; ');
}

/** The reason column: the verdict's reason, where a move comes from, and the locked-order note. */
export function reasonText(row: RehearsalRow, t: Translate): string {
  const parts = [row.reason ?? ''];
  if (row.movedFromBillNos?.length) parts.push(t('rehearsal.movedFrom', { from: row.movedFromBillNos.join(', ') }));
  if (row.documentStatus === 'B' || row.documentStatus === 'C')
    parts.push(t('rehearsal.lockedNote', { status: t(`docStatusShort.${row.documentStatus}`) }));
  return parts.filter((p) => p !== '').join('; ');
}

/** The report's columns in the operating contract's order; each has its header under `rehearsal.<column>`. */
export const REPORT_COLUMNS = [
  'receiptNo',
  'receiptId',
  'collectionDate',
  'amount',
  'currency',
  'okkiOrder',
  'billNo',
  'documentStatus',
  'action',
  'reason',
  'changes',
] as const;
export type ReportColumn = (typeof REPORT_COLUMNS)[number];

/**
 * One receipt's cells by column: the action as the contract names it, the document status as
 * K3Cloud's code (`statusInWords`: in the reader's language instead).
 */
export function reportCells(
  r: RehearsalRow,
  labels: FieldLabels,
  t: Translate,
  statusInWords = false,
): Record<ReportColumn, string> {
  const status = r.documentStatus ?? '';
  return {
    receiptNo: r.receiptNo,
    receiptId: r.receiptId,
    collectionDate: r.collectionDate,
    amount: r.amount,
    currency: r.currency,
    okkiOrder: r.okkiOrderId,
    billNo: r.billNo ?? '',
    documentStatus: statusInWords && status ? t(`docStatus.${status}`) : status,
    action: r.action,
    reason: reasonText(r, t),
    changes: changesText(r, labels),
  };
}

/** Money summed per action and currency (amounts OKKI gave that are not numbers are left out). */
export function moneyByAction(rows: readonly RehearsalRow[]): Map<RehearsalAction, Map<string, Big>> {
  const out = new Map<RehearsalAction, Map<string, Big>>();
  for (const r of rows) {
    const amount = tryParseMoney(r.amount);
    if (amount === undefined) continue;
    const byCurrency = out.get(r.action) ?? new Map<string, Big>();
    const currency = r.currency || '—';
    byCurrency.set(currency, (byCurrency.get(currency) ?? new Big(0)).plus(amount));
    out.set(r.action, byCurrency);
  }
  return out;
}
