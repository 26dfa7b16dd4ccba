import { diffFields, type FieldDifference, type ValueKind } from '@receipt-sync/mapping';
import { queryPages } from '@receipt-sync/k3cloud';
import { rowSlot, type RowLocator } from './existing-rows';
import type { K3CloudReader } from './ports';

/** One receipt row as K3Cloud holds it after the save. */
export interface SavedRow {
  entryId: number;
  values: Record<string, unknown>;
}

/** What the post-save read found: rows per (FID, row key), lowest FEntryID first, and each order's number and status. */
export interface SavedState {
  rows: Map<string, SavedRow[]>;
  orders: Map<number, { billNo: string; status: string }>;
}

const CHUNK = 200;

/**
 * THE read after a BatchSave (verified writes): the orders' number and document status, and every
 * receipt row with every field the batch wrote. One query per 200 orders; it also gives the
 * FEntryIDs of rows the save appended. An order without receipt rows still answers its header.
 */
export async function readSavedState(
  k3: K3CloudReader,
  locator: RowLocator,
  fids: number[],
  fields: string[],
  /** Receipt and order ids the read is for, for the audit trail. */
  subjects?: readonly string[],
): Promise<SavedState> {
  const state: SavedState = { rows: new Map(), orders: new Map() };
  const unique = [...new Set(fids)].filter((f) => Number.isInteger(f) && f > 0);
  const valueKeys = fields.filter((f) => f !== locator.rowKeyField);
  const keys = ['FID', 'FBillNo', 'FDocumentStatus', `${locator.entity}_FEntryID`, locator.rowKeyField, ...valueKeys];
  for (let i = 0; i < unique.length; i += CHUNK) {
    const chunk = unique.slice(i, i + CHUNK);
    const rows = await queryPages((q) => k3.executeBillQuery(q, subjects), {
      formId: locator.formId,
      fieldKeys: keys.join(','),
      filterString: `FID IN (${chunk.join(',')})`,
      orderString: `FID ASC,${locator.entity}_FEntryID ASC`,
    });
    for (const [fid, billNo, status, entryId, rowKey, ...values] of rows) {
      state.orders.set(Number(fid), { billNo: String(billNo ?? fid), status: String(status ?? '') });
      const entry = Number(entryId);
      if (!entry || rowKey === null || rowKey === undefined || rowKey === '') continue;
      const slot = rowSlot(Number(fid), String(rowKey));
      const list = state.rows.get(slot) ?? [];
      list.push({
        entryId: entry,
        values: Object.fromEntries([[locator.rowKeyField, rowKey], ...valueKeys.map((k, j) => [k, values[j]])]),
      });
      state.rows.set(slot, list);
    }
  }
  return state;
}

export type RowCheck = { applied: true; entryId: number } | { applied: false; differences: FieldDifference[] };

/**
 * Whether K3Cloud holds what was sent for one row, every mapped field compared normalised
 * (decimals, dates, booleans: the same comparison reconcile uses). No row at all counts as every
 * field differing.
 */
export function checkSavedRow(
  state: SavedState,
  kinds: ReadonlyMap<string, ValueKind>,
  fid: number,
  rowKey: string,
  sent: Record<string, unknown>,
): RowCheck {
  const row = state.rows.get(rowSlot(fid, rowKey))?.[0];
  if (!row) {
    return {
      applied: false,
      differences: Object.entries(sent).map(([field, expected]) => ({ field, expected, actual: null })),
    };
  }
  const differences = diffFields(kinds, sent, row.values);
  return differences.length === 0 ? { applied: true, entryId: row.entryId } : { applied: false, differences };
}

/** `F_PBLH_Decimal sent "5.00", K3Cloud holds 1` — for dead-letter reasons and logs. */
export function describeDifferences(differences: FieldDifference[]): string {
  return differences
    .map((d) => `${d.field} sent ${JSON.stringify(d.expected)}, K3Cloud holds ${JSON.stringify(d.actual)}`)
    .join('; ');
}
