import { DEFAULT_MAPPING, mapReceipt } from '@receipt-sync/mapping';
import type { K3CloudRow, LedgerView, OkkiReceipt, ReconcileSnapshot } from '../src/types';

export const WINDOW = { from: '2025-04-15 00:00:00', to: '2025-04-15 23:59:59' };
export const FID = 100001;
export const ORDER_ID = '3564000001';

/** An OKKI receipt list item (docs/apis/okki.md §10 sample, linked to ORDER_ID). */
export function receipt(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    cash_collection_id: 5221565013,
    cash_collection_no: 'HK202504150112',
    update_time: '2025-04-15 17:47:13',
    order_id: Number(ORDER_ID),
    collection_date: '2025-04-16',
    amount: '201.00',
    real_amount: '200.00',
    bank_charge: '1.00',
    currency: 'CNY',
    type: 'T/T',
    trade_no: '',
    comment: '1',
    external_field_data_info: { '3564970299': '444', '3564970303': 3.5 },
    ...overrides,
  };
}

export const okki = (r: Record<string, unknown>, removed = false): OkkiReceipt => ({ receipt: r, removed });

/**
 * The row K3Cloud holds after the writer saved `r`, rendered the way ExecuteBillQuery answers:
 * decimals as JSON numbers, dates as `yyyy-MM-ddTHH:mm:ss` (docs/apis/k3cloud.md §6).
 */
export function k3Row(
  r: Record<string, unknown>,
  entryId: number,
  opts: { fid?: number; removed?: boolean; values?: Record<string, unknown> } = {},
): K3CloudRow {
  const mapped = mapReceipt({ receipt: r, removed: opts.removed ?? false }, DEFAULT_MAPPING);
  if (!mapped.ok) throw new Error(`fixture does not map: ${JSON.stringify(mapped.problems)}`);
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(mapped.row.fields)) {
    if (key === 'F_PBLH_CashCollectionNo') continue;
    if (key === 'F_PBLH_Date' && typeof value === 'string') values[key] = value.replace(' ', 'T');
    else if (/Decimal|Amount|Charge|Freight|Fee/.test(key) && typeof value === 'string') values[key] = Number(value);
    else values[key] = value;
  }
  values.F_PBLH_Bank = null;
  values.F_PBLH_BankAccount = null;
  return { fid: opts.fid ?? FID, entryId, rowKey: mapped.row.rowKey, values: { ...values, ...opts.values } };
}

export function ledgerEntry(r: Record<string, unknown>, over: Partial<LedgerView> = {}): LedgerView {
  return {
    receiptId: String(r.cash_collection_id),
    receiptNo: String(r.cash_collection_no),
    orderId: String(r.order_id),
    sourceVersion: String(r.update_time),
    removed: false,
    status: 'written',
    k3Fid: FID,
    ...over,
  };
}

export function snapshot(parts: Partial<ReconcileSnapshot>): ReconcileSnapshot {
  return {
    window: WINDOW,
    receipts: [],
    invalid: 0,
    orders: new Map([[ORDER_ID, FID]]),
    rows: [],
    ledger: new Map(),
    ledgerOthers: [],
    ...parts,
  };
}

export const ledgerOf = (...entries: LedgerView[]) => new Map(entries.map((e) => [e.receiptId, e]));
