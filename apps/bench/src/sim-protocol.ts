/** Messages between the bench and its simulator host process (child_process IPC). */

export interface SimSpec {
  seed: number;
  receipts: number;
  orders: number;
  okkiLatencyMs: number;
  okkiMaxPerSecond: number | null;
  k3LatencyMs: number;
  k3PerRowMs: number;
  k3Concurrency: number;
  /**
   * Segment n of a segmented backfill: receipt ids, numbers and order ids are shifted so no two
   * segments share a receipt or an order (the pipeline's ledger and order index see new ones).
   */
  segment?: number;
  /** Fixed ports, so a fresh simulator pair can replace the last one under running stage processes. */
  okkiPort?: number;
  k3Port?: number;
}

/** One K3Cloud receipt row as stored, without its FEntryID (which differs between runs). */
export interface StoredRow {
  fid: number;
  fields: Record<string, unknown>;
}

export interface RowCensus {
  /** Receipts of the dataset that have at least one row. */
  written: number;
  /** Receipts of the dataset with more than one row (must be 0: exactly once). */
  duplicated: number;
  /** Receipts of the dataset with no row. */
  missing: number;
}

export interface SimStats {
  okki: {
    requests: Record<string, number>;
    rateLimited: number;
    maxObservedRps: number;
    /** Wall-clock ms of the first and last request of its log (the last 10,000) since its stats were reset. */
    firstAtMs?: number;
    lastAtMs?: number;
  };
  k3: {
    calls: Record<string, number>;
    rowsSaved: number;
    savesApplied: number;
    peakConcurrent: number;
    conflicts: number;
  };
}

export type SimCommand =
  | { id: number; cmd: 'stats' }
  | { id: number; cmd: 'resetStats' }
  | { id: number; cmd: 'rows'; receiptNos: string[] }
  | { id: number; cmd: 'census' }
  | { id: number; cmd: 'setK3Latency'; latencyMs: number; perRowMs: number }
  | { id: number; cmd: 'close' };

export type SimReply =
  | {
      type: 'ready';
      env: Record<string, string>;
      receipts: number;
      orders: number;
      distinctOrders: number;
      updateRange: { from: string; to: string };
    }
  | { type: 'failed'; message: string }
  | { type: 'reply'; id: number; result?: unknown; error?: string };
