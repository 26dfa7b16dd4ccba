import type { BillQueryRequest, ModelSaveResult } from '@receipt-sync/k3cloud';
import type { LedgerRepo } from '@receipt-sync/store';

/** The ledger calls the writer makes (@receipt-sync/store). */
export type WriterLedger = Pick<LedgerRepo, 'getMany' | 'recordWritten' | 'recordOutcome'>;

/** BatchSave options in the client's spelling; isDeleteEntry MUST be false (docs/apis/k3cloud.md §4.1). */
export interface WriterSaveOptions {
  isDeleteEntry: false;
  isAutoSubmitAndAudit?: boolean;
  isVerifyBaseDataField?: boolean;
}

/** The K3Cloud calls the writer makes (@receipt-sync/k3cloud). */
export interface K3CloudWriter {
  batchSave(
    formId: string,
    models: Array<Record<string, unknown>>,
    options?: WriterSaveOptions,
  ): Promise<{ results: ModelSaveResult[] }>;
  executeBillQuery(query: BillQueryRequest): Promise<unknown[][]>;
  /** Status operations for policy `unaudit` (docs/apis/k3cloud.md §3, §7). */
  unAudit(formId: string, billNos: string[]): Promise<void>;
  submit(formId: string, billNos: string[]): Promise<void>;
  audit(formId: string, billNos: string[]): Promise<void>;
}
