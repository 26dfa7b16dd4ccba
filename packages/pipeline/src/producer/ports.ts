/** What the producer needs from OKKI: a drift-safe walk over one fixed window (okki-client). */
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
  checkpoints: {
    get(stream: string): Promise<{ windowEnd: string } | undefined>;
    advance(stream: string, windowEnd: string, expectedPrevious: string | undefined): Promise<boolean>;
  };
  windows: {
    open(w: { id: string; start: string; end: string }): Promise<void>;
    update(id: string, patch: WindowPatch): Promise<void>;
  };
  /** Every version fetched is recorded with source `window` (the receipt page lists them). */
  history: {
    record(
      versions: Array<{ receiptId: string; updateTime: string; removed: boolean; source: 'window'; windowId: string }>,
    ): Promise<void>;
  };
}

export interface WindowPatch {
  status?: 'open' | 'enqueued' | 'completed' | 'failed';
  counts?: {
    fetched?: number;
    removed?: number;
    enqueued?: number;
    written?: number;
    unchanged?: number;
    quarantined?: number;
    deadLettered?: number;
  };
  finishedAt?: Date;
  error?: string;
}
