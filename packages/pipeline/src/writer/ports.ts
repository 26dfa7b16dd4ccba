import type { BillQueryRequest, ModelSaveResult } from '@receipt-sync/k3cloud';
import type { LedgerRepo, OrderIndexRepo } from '@receipt-sync/store';

/** The ledger calls the writer makes (@receipt-sync/store). */
export type WriterLedger = Pick<LedgerRepo, 'getMany' | 'recordWritten' | 'recordOutcome'>;

/** The order-index cache the writer fills from its query before each save (the transformer reads it). */
export type WriterOrderIndex = Pick<OrderIndexRepo, 'put' | 'putMiss'>;

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
    /** Receipt and order ids the save is about, for the audit trail. */
    subjects?: readonly string[],
  ): Promise<{ results: ModelSaveResult[] }>;
  /** `subjects`: receipt and order ids the read is for, for the audit trail. */
  executeBillQuery(query: BillQueryRequest, subjects?: readonly string[]): Promise<unknown[][]>;
  /** Status operations for policy `unaudit` (docs/apis/k3cloud.md §3, §7). */
  unAudit(formId: string, billNos: string[]): Promise<void>;
  submit(formId: string, billNos: string[]): Promise<void>;
  audit(formId: string, billNos: string[]): Promise<void>;
}

/** The one K3Cloud call a read needs (the read before a save, the read-back, the rehearsal). */
export type K3CloudReader = Pick<K3CloudWriter, 'executeBillQuery'>;
