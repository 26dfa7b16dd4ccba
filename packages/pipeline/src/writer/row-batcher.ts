import type { ReadyRow } from '../queues';

export type RowResult = { outcome: 'written'; fid: number; entryId: number } | { outcome: 'unchanged'; reason: string };

export interface PendingRow {
  row: ReadyRow;
  /** Saved alone in its own model: set after a multi-row model was rejected, to find the bad row. */
  solo: boolean;
  resolve(result: RowResult): void;
  reject(error: unknown): void;
}

export interface RowBatcherOptions {
  /** Rows per BatchSave at most (KINGDEE_BATCH_SIZE). */
  batchSize: number;
  /** How long the first waiting row waits for company before a partial batch goes. */
  lingerMs: number;
  /** Batches in flight from this process at most (KINGDEE_MAX_CONCURRENCY). */
  maxInFlight: number;
  /** Saves one batch; must settle (resolve, reject or requeue) every row it is given. */
  write(rows: PendingRow[]): Promise<void>;
}

/**
 * Gathers ready rows from many concurrently active jobs into BatchSave calls: one model per sales
 * order, at most `batchSize` rows per call, and never two batches touching one order at once from
 * this process (replicas coordinate through OrderLocks).
 */
export class RowBatcher {
  private queue: PendingRow[] = [];
  private readonly busy = new Set<number>();
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly opts: RowBatcherOptions) {}

  submit(row: ReadyRow, solo = false): Promise<RowResult> {
    return new Promise<RowResult>((resolve, reject) => this.requeue({ row, solo, resolve, reject }));
  }

  /** Puts a row back in line (lock held elsewhere, or isolated after a rejected model). */
  requeue(pending: PendingRow): void {
    if (this.closed) {
      pending.reject(new Error('writer is shutting down'));
      return;
    }
    this.queue.push(pending);
    this.schedule();
  }

  /** Rejects rows still waiting; batches in flight finish. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const waiting = this.queue;
    this.queue = [];
    for (const p of waiting) p.reject(new Error('writer is shutting down'));
  }

  private schedule(): void {
    if (this.selectableCount() >= this.opts.batchSize) {
      this.flush();
      return;
    }
    if (this.queue.length === 0) return;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.opts.lingerMs);
  }

  private selectableCount(): number {
    let n = 0;
    for (const p of this.queue) if (!this.busy.has(p.row.fid)) n += 1;
    return n;
  }

  private flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    while (this.inFlight < this.opts.maxInFlight) {
      const batch = this.take();
      if (batch.length === 0) break;
      const fids = [...new Set(batch.map((p) => p.row.fid))];
      for (const fid of fids) this.busy.add(fid);
      this.inFlight += 1;
      this.opts
        .write(batch)
        .catch((error) => {
          for (const p of batch) p.reject(error);
        })
        .finally(() => {
          this.inFlight -= 1;
          for (const fid of fids) this.busy.delete(fid);
          if (this.queue.length > 0) this.schedule();
        });
    }
    // Rows left behind (their order is busy, or every slot is taken) go when a batch finishes.
  }

  private take(): PendingRow[] {
    const taken: PendingRow[] = [];
    const rest: PendingRow[] = [];
    const soloFids = new Set<number>();
    const groupedFids = new Set<number>();
    for (const p of this.queue) {
      const fid = p.row.fid;
      const fits =
        taken.length < this.opts.batchSize &&
        !this.busy.has(fid) &&
        !soloFids.has(fid) &&
        !(p.solo && groupedFids.has(fid));
      if (!fits) {
        rest.push(p);
        continue;
      }
      taken.push(p);
      (p.solo ? soloFids : groupedFids).add(fid);
    }
    this.queue = rest;
    return taken;
  }
}
