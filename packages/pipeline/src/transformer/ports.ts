import type { Lane } from '@receipt-sync/core';
import type { LedgerRepo } from '@receipt-sync/store';

/** The ledger calls the transformer makes (@receipt-sync/store). */
export type TransformerLedger = Pick<LedgerRepo, 'get' | 'recordOutcome' | 'settleUnchanged'>;

export interface OrderIndex {
  get(orderId: string): Promise<{ fid: number; billNo?: string } | 'miss' | undefined>;
  put(orderId: string, value: { fid: number; billNo?: string }, ttlMs?: number): Promise<void>;
  putMiss(orderId: string, ttlMs: number): Promise<void>;
}

/** OKKI /v1/invoices/receipt/info (docs/apis/okki.md §6); `lane` is the pacer lane the call waits in. */
export interface ReceiptInfoSource {
  getReceiptInfo(cashCollectionId: number, opts?: { lane?: Lane }): Promise<Record<string, unknown>>;
}
