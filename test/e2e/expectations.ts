import { formatMoney, parseMoney } from '@receipt-sync/core';
import { checkQuality, DEFAULT_MAPPING, mapReceipt } from '@receipt-sync/mapping';
import type { DemoEnvironment } from '@receipt-sync/simulators';

type Row = Record<string, unknown> & { FEntryID: number };
type Bill = Record<string, unknown> & { FID: number };

export interface K3CloudSnapshot {
  bills: Map<number, Bill>;
  /** receipt no → rows carrying it, across every order. */
  rowsByNo: Map<string, Array<{ fid: number; row: Row }>>;
}

export function snapshotK3(demo: DemoEnvironment): K3CloudSnapshot {
  const bills = new Map<number, Bill>();
  const rowsByNo = new Map<string, Array<{ fid: number; row: Row }>>();
  for (const bill of demo.k3.allBills('SAL_SaleOrder') as Bill[]) {
    bills.set(bill.FID, bill);
    for (const row of (bill.F_PBLH_Entity as Row[] | undefined) ?? []) {
      const no = String(row.F_PBLH_CashCollectionNo);
      rowsByNo.set(no, [...(rowsByNo.get(no) ?? []), { fid: bill.FID, row }]);
    }
  }
  return { bills, rowsByNo };
}

export interface Expected {
  /** receipt no → FID it must be written to, for receipts that must reach K3Cloud. */
  written: Map<string, number>;
  noOrder: string[];
  missingOrder: string[];
}

/** What a correct sync of the simulator's current OKKI data must leave in K3Cloud. */
export function expectedOutcome(demo: DemoEnvironment): Expected {
  const fidByOrderKey = new Map<string, number>();
  for (const bill of demo.k3.allBills('SAL_SaleOrder') as Bill[])
    fidByOrderKey.set(String(bill.F_Cash_Collection_Id), bill.FID);
  const written = new Map<string, number>();
  const noOrder: string[] = [];
  const missingOrder: string[] = [];
  for (const r of demo.okki.allReceipts({ removed: false })) {
    const receipt = r as unknown as Record<string, unknown>;
    const no = String(r.cash_collection_no);
    if (!r.order_id) {
      noOrder.push(no);
      continue;
    }
    const fid = fidByOrderKey.get(String(r.order_id));
    if (!fid) {
      missingOrder.push(no);
      continue;
    }
    if (checkQuality({ receipt, removed: false }, DEFAULT_MAPPING).length === 0) written.set(no, fid);
  }
  return { written, noOrder, missingOrder };
}

/** Asserts every expected receipt is present exactly once, on its order, with the right values. */
export function assertExactlyOnce(demo: DemoEnvironment, snap: K3CloudSnapshot, expected: Expected): void {
  // One copy of OKKI's receipts (allReceipts deep-copies them all): a lookup per receipt stays linear.
  const byNo = new Map<string, ReturnType<DemoEnvironment['okki']['allReceipts']>[number]>();
  for (const r of demo.okki.allReceipts()) if (!byNo.has(r.cash_collection_no)) byNo.set(r.cash_collection_no, r);
  for (const [no, fid] of expected.written) {
    const rows = snap.rowsByNo.get(no) ?? [];
    if (rows.length !== 1) throw new Error(`receipt ${no}: expected exactly one K3Cloud row, found ${rows.length}`);
    if (rows[0]!.fid !== fid) throw new Error(`receipt ${no}: written to FID ${rows[0]!.fid}, expected ${fid}`);
    const okki = byNo.get(no)!;
    const row = rows[0]!.row;
    const realAmount = formatMoney(parseMoney(okki.real_amount));
    if (!sameValue(row.F_PBLH_Decimal, realAmount))
      throw new Error(`receipt ${no}: F_PBLH_Decimal ${String(row.F_PBLH_Decimal)} ≠ ${realAmount}`);
    if (!sameValue(row.F_PBLH_Date, `${okki.collection_date} 00:00:00`))
      throw new Error(`receipt ${no}: F_PBLH_Date ${String(row.F_PBLH_Date)}`);
    const info = demo.okki.getReceipt(okki.cash_collection_id) as unknown as Record<string, unknown>;
    const mapped = mapReceipt(
      { receipt: okki as unknown as Record<string, unknown>, info, removed: false },
      DEFAULT_MAPPING,
    );
    if (!mapped.ok) throw new Error(`receipt ${no}: expected to map`);
    for (const [field, value] of Object.entries(mapped.row.fields)) {
      if (!sameValue(row[field], value))
        throw new Error(`receipt ${no}: ${field} is ${JSON.stringify(row[field])}, expected ${JSON.stringify(value)}`);
    }
  }
  for (const no of [...expected.noOrder, ...expected.missingOrder]) {
    if (snap.rowsByNo.has(no)) throw new Error(`receipt ${no} has no sales order yet reached K3Cloud`);
  }
}

/** K3Cloud hands datetimes back as `yyyy-MM-ddTHH:mm:ss` and decimals as numbers (docs/apis/k3cloud.md §6). */
function sameValue(actual: unknown, expected: unknown): boolean {
  if (expected === null) return actual === null || actual === undefined || actual === '';
  if (typeof expected === 'boolean') return actual === expected || String(actual) === String(expected);
  const norm = (v: unknown) => String(v).replace(/^(\d{4}-\d{2}-\d{2})T/, '$1 ');
  if (norm(actual) === norm(expected)) return true;
  const a = Number(actual);
  const e = Number(expected);
  return typeof expected === 'string' && /^-?\d+(\.\d+)?$/.test(expected) && Number.isFinite(a) && a === e;
}

/** Rows the sync never owned (seeded rows of older receipts) must be byte-identical afterwards. */
export function foreignRows(demo: DemoEnvironment, snap: K3CloudSnapshot): Map<string, string> {
  const ours = new Set(demo.okki.allReceipts().map((r) => r.cash_collection_no));
  const out = new Map<string, string>();
  for (const [no, rows] of snap.rowsByNo) if (!ours.has(no)) out.set(no, JSON.stringify(rows));
  return out;
}
