import type { Why } from './reasons';
/**
 * What reconcile compares and reports. Everything that talks to OKKI, K3Cloud or the store is a
 * narrow structural port declared here, so the real clients and store (@receipt-sync/okki, @receipt-sync/k3cloud,
 * @receipt-sync/store) and test doubles both fit.
 */
import type { ReceiptStatus } from '@receipt-sync/core';
import type { BillQueryRequest } from '@receipt-sync/k3cloud';
import type { FieldDifference } from '@receipt-sync/mapping';

/** The reconcile window: receipts whose `update_time` is in `[from, to]`, China time `YYYY-MM-DD HH:mm:ss`. */
export interface ReconcileWindow {
  from: string;
  to: string;
}

/** One item of the drift-safe OKKI window walk, and the walk itself (shared with the producer). */
export type { ReceiptSource as ReceiptSourcePort, WindowItem as SourceItem } from '@receipt-sync/pipeline';

/** OKKI `/v1/invoices/receipt/info` (docs/apis/okki.md §6); only used when the mapping reads `info.` fields. */
export interface ReceiptInfoPort {
  getReceiptInfo(cashCollectionId: number): Promise<Record<string, unknown>>;
}

/**
 * K3Cloud ExecuteBillQuery (docs/apis/k3cloud.md §6) in @receipt-sync/k3cloud's camel-cased request shape: rows of
 * values in FieldKeys order.
 */
export interface BillQueryPort {
  executeBillQuery(query: BillQueryText): Promise<unknown[][]>;
}

/** @receipt-sync/k3cloud's request, narrowed to the text forms reconcile builds (fakes in tests rely on it). */
export type BillQueryText = Omit<BillQueryRequest, 'fieldKeys' | 'filterString'> & {
  fieldKeys: string;
  filterString: string;
};

/** The ledger fields reconcile reads (@receipt-sync/store LedgerEntry). */
export interface LedgerView {
  receiptId: string;
  receiptNo: string;
  orderId: string;
  sourceVersion: string;
  removed: boolean;
  status: ReceiptStatus;
  k3Fid?: number;
  k3EntryId?: number;
}

export interface LedgerPort {
  getMany(receiptIds: readonly string[]): Promise<Map<string, LedgerView>>;
  list(filter?: { orderId?: string; limit?: number; after?: string }): Promise<LedgerView[]>;
}

/** An OKKI receipt as listed in the window (the newest listing when it appears twice). */
export interface OkkiReceipt {
  receipt: Record<string, unknown>;
  removed: boolean;
  /** `/receipt/info` record when enrichment was fetched. */
  info?: Record<string, unknown>;
}

/** One row of the receipt entity on a K3Cloud sales order. */
export interface K3CloudRow {
  fid: number;
  entryId: number;
  rowKey: string;
  /** Mapped field values as ExecuteBillQuery returned them, keyed by K3Cloud field key. */
  values: Record<string, unknown>;
}

/** Everything gathered for one window; the pure comparison works on this alone. */
export interface ReconcileSnapshot {
  window: ReconcileWindow;
  receipts: OkkiReceipt[];
  /** OKKI list items without a usable id or update_time (quarantined by the producer). */
  invalid: number;
  /** OKKI order_id → FID of the sales order carrying it (lowest FID when several do). */
  orders: Map<string, number>;
  rows: K3CloudRow[];
  /** Ledger entries of the window's OKKI receipts, by receipt id. */
  ledger: Map<string, LedgerView>;
  /** Other ledger entries on the orders involved (and from a ledger scan when asked). */
  ledgerOthers: LedgerView[];
}

export const FINDING_CATEGORIES = [
  'missing',
  'extra',
  'stale',
  'duplicated',
  'removed-not-flagged',
  'ledger-mismatch',
] as const;
export type FindingCategory = (typeof FINDING_CATEGORIES)[number];

export type { FieldDifference };

export interface Finding {
  category: FindingCategory;
  receiptNo: string;
  receiptId?: string;
  orderId?: string;
  fid?: number;
  entryId?: number;
  /** `duplicated`: every FEntryID carrying the receipt number on the order, lowest first. */
  entryIds?: number[];
  /** In English (JSON reports, logs); `why` says the same for a reader's language. */
  reason: string;
  why?: Why;
  /** `stale`: the fields whose K3Cloud value differs from the current mapping. */
  fields?: FieldDifference[];
  /** The OKKI receipt, kept for `fixReconcile` on missing / stale / removed-not-flagged findings. */
  source?: { receipt: Record<string, unknown>; removed: boolean };
}

export interface ReconcileReport {
  window: ReconcileWindow;
  startedAt: string;
  finishedAt: string;
  scanned: {
    okkiActive: number;
    okkiRemoved: number;
    okkiInvalid: number;
    /** Distinct OKKI order ids looked up in K3Cloud, and how many resolved to a sales order. */
    orders: number;
    ordersFound: number;
    /** Sales orders carrying at least one receipt row among those read. */
    salesOrders: number;
    rows: number;
    /** Rows of receipts neither in this window nor in our ledger: not ours, ignored. */
    ignoredRows: number;
    ledgerEntries: number;
  };
  counts: Record<FindingCategory, number>;
  findings: Finding[];
  clean: boolean;
}
