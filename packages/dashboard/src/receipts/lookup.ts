import { redactText } from '@receipt-sync/core';
import type { LedgerEntry, SyncStore } from '@receipt-sync/store';

/** What a search key named. */
export type KeyMatch =
  | { kind: 'receipt'; receiptId: string }
  | { kind: 'order'; orderId: string; billNo?: string; receipts: LedgerEntry[] }
  | { kind: 'none' };

const MAX_KEY = 200;
/** An order's receipts listed at most (an order has a handful). */
const ORDER_RECEIPTS = 500;

/**
 * Resolves a search key: a receipt id, a receipt number (`cash_collection_no`), a K3Cloud order
 * number (`FBillNo`) or an OKKI order id. Every look-up is an index read (no scan), asked in
 * parallel; a receipt wins over an order, and a key naming several receipts lists them as an order.
 */
export async function findByKey(store: SyncStore, rawKey: string): Promise<KeyMatch> {
  const key = rawKey.trim();
  if (key === '' || key.length > MAX_KEY) return { kind: 'none' };
  const [byId, byNo, orderByBill, orderReceipts] = await Promise.all([
    store.ledger.get(key),
    store.ledger.findByReceiptNo(key),
    store.orders.findByBillNo(key),
    store.ledger.list({ orderId: key, limit: ORDER_RECEIPTS }),
  ]);
  if (byId) return { kind: 'receipt', receiptId: byId.receiptId };
  const scrubbed = (entries: LedgerEntry[]) =>
    entries.map((e) =>
      e.lastError ? { ...e, lastError: { ...e.lastError, message: redactText(e.lastError.message) } } : e,
    );
  if (byNo.length === 1) return { kind: 'receipt', receiptId: byNo[0]!.receiptId };
  if (byNo.length > 1) return { kind: 'order', orderId: byNo[0]!.orderId, receipts: scrubbed(byNo) };
  if (orderByBill !== undefined) {
    const receipts = await store.ledger.list({ orderId: orderByBill, limit: ORDER_RECEIPTS });
    return { kind: 'order', orderId: orderByBill, billNo: key, receipts: scrubbed(receipts) };
  }
  if (orderReceipts.length > 0) return { kind: 'order', orderId: key, receipts: scrubbed(orderReceipts) };
  return { kind: 'none' };
}
