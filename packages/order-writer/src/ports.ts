import type { BillQueryRequest, ModelSaveResult } from '@receipt-sync/kingdee-client';

export interface WriterLedgerEntry {
  receiptId: string;
  sourceVersion: string;
  removed: boolean;
  status: 'pending' | 'written' | 'unchanged' | 'quarantined' | 'dead-lettered';
  contentHash?: string;
  k3Fid?: number;
  k3EntryId?: number;
}

export interface WriterLedger {
  getMany(receiptIds: string[]): Promise<Map<string, WriterLedgerEntry>>;
  recordWritten(entry: {
    receiptId: string; receiptNo: string; orderId: string; sourceVersion: string; removed: boolean;
    contentHash: string; k3Fid: number; k3EntryId: number;
  }): Promise<void>;
  recordOutcome(
    receiptId: string,
    patch: { status: WriterLedgerEntry['status']; lastError?: { code: string; message: string; at: Date }; receiptNo?: string; orderId?: string; sourceVersion?: string },
  ): Promise<void>;
}

/** One model's outcome of a BatchSave (kingdee-client). */
export type ModelResult = ModelSaveResult;

/** BatchSave options in the client's spelling; isDeleteEntry MUST be false (operating contract). */
export interface WriterSaveOptions {
  isDeleteEntry: false;
  isAutoSubmitAndAudit?: boolean;
  isVerifyBaseDataField?: boolean;
}

/** The K3Cloud calls the writer makes (kingdee-client). */
export interface K3Writer {
  batchSave(formId: string, models: Array<Record<string, unknown>>, options?: WriterSaveOptions): Promise<{ results: ModelResult[] }>;
  executeBillQuery(query: BillQueryRequest): Promise<unknown[][]>;
}
