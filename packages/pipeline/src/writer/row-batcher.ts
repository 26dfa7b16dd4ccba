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
  /**
   * Rows still coming: receipts waiting in `raw` and rows waiting in `ready` (polled; undefined =
   * unknown). With it the linger adapts: nothing coming → a partial batch goes at once, on any free
   * slot; rows coming → partial batches take at most half the slots (a trickle of rows must not
   * spend every slot on small batches, each costing three K3Cloud calls), and with more than a batch
   * coming they wait up to LONG_LINGER × lingerMs for company. A full batch always goes at once.
   */
  backlog?: () => number | undefined;
  /** Batches in flight from this process at most (KINGDEE_MAX_CONCURRENCY). */
  maxInFlight: number;
  /**
   * Full batches that may go beyond `maxInFlight` (they wait for a K3Cloud slot in the client's
   * limiter, so one that frees is never idle while a batch settles in Redis). Partial batches never
   * do: while the slots are taken, rows gather into fuller batches. @defaultValue 0
   */
  extraFullBatches?: number;
  /** Saves one batch; must settle (resolve, reject or requeue) every row it is given. */
  write(rows: PendingRow[]): Promise<void>;
}

/** How much longer than `lingerMs` a partial batch waits while more than a batch is coming. */
export const LONG_LINGER = 4;

/**
 * Gathers ready rows from many concurrently active jobs into BatchSave calls: one model per sales
 * order, at most `batchSize` rows per call, and never two batches touching one order at once from
 * this process (replicas coordinate through OrderLocks). Orders are named by their OKKI order id:
 * the writer resolves FIDs itself, in the batch's one query before the save.
 */
export class RowBatcher {
  private queue: PendingRow[] = [];
  private readonly busy = new Set<string>();
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

  /** Full batches go at once; a partial one waits for the linger (adapted to the backlog). */
  private schedule(): void {
    if (this.selectableCount() >= this.opts.batchSize) this.flush(false);
    if (this.selectableCount() === 0) return;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flush(true);
    }, this.lingerMs());
  }

  /** Slots partial batches may fill: all of them when no more rows are coming, else half. */
  private partialSlots(): number {
    const backlog = this.opts.backlog?.();
    if (backlog === undefined || backlog === 0) return this.opts.maxInFlight;
    return Math.max(1, Math.floor(this.opts.maxInFlight / 2));
  }

  /** The linger for a partial batch, from the rows still coming. */
  private lingerMs(): number {
    const backlog = this.opts.backlog?.();
    if (backlog === undefined) return this.opts.lingerMs;
    if (backlog === 0) return 0;
    return backlog >= this.opts.batchSize ? LONG_LINGER * this.opts.lingerMs : this.opts.lingerMs;
  }

  private selectableCount(): number {
    let n = 0;
    for (const p of this.queue) if (!this.busy.has(p.row.orderId)) n += 1;
    return n;
  }

  /** Sends batches while slots are free: full ones only, unless `partial` (the linger is over), which fill the K3Cloud slots alone. */
  private flush(partial: boolean): void {
    if (partial && this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const fullLimit = this.opts.maxInFlight + (this.opts.extraFullBatches ?? 0);
    const partialLimit = this.partialSlots();
    for (;;) {
      const full = this.selectableCount() >= this.opts.batchSize;
      if (this.inFlight >= (full ? fullLimit : partialLimit) || !(full || partial)) break;
      const batch = this.take();
      if (batch.length === 0) break;
      const orders = [...new Set(batch.map((p) => p.row.orderId))];
      for (const order of orders) this.busy.add(order);
      this.inFlight += 1;
      this.opts
        .write(batch)
        .catch((error) => {
          for (const p of batch) p.reject(error);
        })
        .finally(() => {
          this.inFlight -= 1;
          for (const order of orders) this.busy.delete(order);
          if (this.queue.length > 0) this.schedule();
        });
    }
    // Rows left behind (their order is busy, or every slot is taken) go when a batch finishes.
  }

  private take(): PendingRow[] {
    const taken: PendingRow[] = [];
    const rest: PendingRow[] = [];
    const soloOrders = new Set<string>();
    const groupedOrders = new Set<string>();
    for (const p of this.queue) {
      const order = p.row.orderId;
      const fits =
        taken.length < this.opts.batchSize &&
        !this.busy.has(order) &&
        !soloOrders.has(order) &&
        !(p.solo && groupedOrders.has(order));
      if (!fits) {
        rest.push(p);
        continue;
      }
      taken.push(p);
      (p.solo ? soloOrders : groupedOrders).add(order);
    }
    this.queue = rest;
    return taken;
  }
}
