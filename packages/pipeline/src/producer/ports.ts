import type { CheckpointRepo, ReceiptHistoryRepo, WindowRepo } from '@receipt-sync/store';
/** What the producer needs from OKKI: a drift-safe walk over one fixed window (@receipt-sync/okki). */
export type WindowItem =
  | { kind: 'receipt'; receipt: { cash_collection_id: number; update_time: string; [k: string]: unknown } }
  | { kind: 'invalid'; raw: unknown; issues: string[] };

export interface ReceiptSource {
  iterateWindow(args: {
    startTime: string;
    endTime: string;
    removed: boolean;
    pageSize: number;
  }): AsyncIterable<WindowItem>;
}

/** What the producer needs from the durable store. */
export interface ProducerStore {
  checkpoints: Pick<CheckpointRepo, 'get' | 'advance'>;
  windows: Pick<WindowRepo, 'open' | 'update'>;
  history: Pick<ReceiptHistoryRepo, 'record'>;
}
