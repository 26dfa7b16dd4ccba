import type { BillQueryRequest } from '@receipt-sync/kingdee-client';

/** The slice of the ledger the transformer reads and writes (@receipt-sync/store). */
export interface LedgerView {
  receiptId: string;
  sourceVersion: string;
  removed: boolean;
  status: 'pending' | 'written' | 'unchanged' | 'quarantined' | 'dead-lettered';
  contentHash?: string;
  /** Set once the receipt has a row in K3Cloud; never cleared. */
  k3Fid?: number;
}

export interface TransformerLedger {
  get(receiptId: string): Promise<LedgerView | undefined>;
  recordOutcome(
    receiptId: string,
    patch: {
      status: LedgerView['status'];
      lastError?: { code: string; message: string; at: Date };
      receiptNo?: string;
      orderId?: string;
      sourceVersion?: string;
    },
  ): Promise<void>;
}

export interface OrderIndex {
  get(orderId: string): Promise<{ fid: number; billNo?: string } | 'miss' | undefined>;
  put(orderId: string, value: { fid: number; billNo?: string }, ttlMs?: number): Promise<void>;
  putMiss(orderId: string, ttlMs: number): Promise<void>;
}

/** K3Cloud ExecuteBillQuery (kingdee spec §6): rows of values in FieldKeys order. */
export interface BillQuery {
  executeBillQuery(query: BillQueryRequest): Promise<unknown[][]>;
}

/** OKKI /v1/invoices/receipt/info (xiaoman spec §6). */
export interface ReceiptInfoSource {
  getReceiptInfo(cashCollectionId: number): Promise<Record<string, unknown>>;
}
