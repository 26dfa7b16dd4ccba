import type { K3FieldError } from '@receipt-sync/errors';

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

export interface ModelResult {
  dIndex: number;
  ok: boolean;
  id?: number;
  number?: string;
  errors: K3FieldError[];
}

/** The K3Cloud calls the writer makes (kingdee-client). */
export interface K3Writer {
  batchSave(formId: string, models: object[], options?: Record<string, unknown>): Promise<{ results: ModelResult[] }>;
  executeBillQuery(query: { FormId: string; FieldKeys: string; FilterString: string; OrderString?: string; StartRow?: number; Limit?: number }): Promise<unknown[][]>;
}
