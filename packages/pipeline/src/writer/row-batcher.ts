import type { ReadyRow } from '../queues';

export type RowResult = { outcome: 'written'; fid: number; entryId: number } | { outcome: 'unchanged'; reason: string };

export interface PendingRow {
  row: ReadyRow;
  /** Saved alone in its own model: set after a multi-row model was rejected, to find the bad row. */
  solo: boolean;
  /** The trace context of the job that submitted the row (BullMQ telemetry metadata), tracing on. */
  trace?: string;
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
  /** Batches writing or waiting for a slot from this process at most (KINGDEE_MAX_CONCURRENCY). */
  maxInFlight: number;
  /**
   * Full batches that may wait for a slot beyond `maxInFlight` (so a slot that frees while a batch
   * settles in Redis goes straight to the next). Partial batches never do: while the slots are taken,
   * rows gather into fuller batches. @defaultValue 0
   */
  extraFullBatches?: number;
  /**
   * A batch slot shared by every writer (KINGDEE_MAX_CONCURRENCY of them), waited for before a batch
   * is formed; resolves to its release. Rows stay in line meanwhile, so the batch formed when the
   * slot comes is the fullest this process can make, and no order is locked while its batch waits.
   * Without it batches form at once (one process, tests).
   */
  admit?: () => Promise<() => Promise<void>>;
  /**
   * Saves one batch; must settle (resolve, reject or requeue) every row it is given, `more` included,
   * and call `k3Done` after its last K3Cloud call (it lets the batch slot go).
   */
  write(rows: PendingRow[], more: TopUp, k3Done: () => Promise<void>): Promise<void>;
}

/**
 * More rows for a batch in flight, from orders nobody in this process is writing and not in
 * `skipOrders`: when another replica holds some of a batch's orders, the batch takes other waiting
 * rows in their place instead of going smaller.
 */
export type TopUp = (max: number, skipOrders: ReadonlySet<string>) => PendingRow[];

/** How long at most a partial batch waits for rows of its process coming back in line (waitsForCompany). */
export const BUSY_ORDER_WAIT_MS = 2_000;

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
  /** Batches waiting for a slot (`admit`); each will take up to a batch of the rows then waiting. */
  private admitting = 0;
  private timer: NodeJS.Timeout | undefined;
  /** When the running linger timer fires (ms since the epoch). */
  private timerDue = 0;
  /** Rows put back with a delay, not yet in line again. */
  private returning = 0;
  private closed = false;

  constructor(private readonly opts: RowBatcherOptions) {}

  submit(row: ReadyRow, solo = false, trace?: string): Promise<RowResult> {
    return new Promise<RowResult>((resolve, reject) => this.requeue({ row, solo, trace, resolve, reject }));
  }

  /**
   * Puts a row back in line: isolated after a rejected model (at once), or its order held by another
   * replica (after `afterMs`; meanwhile a partial batch may wait for it, see waitsForCompany).
   */
  requeue(pending: PendingRow, afterMs = 0): void {
    if (afterMs > 0) {
      this.returning += 1;
      setTimeout(() => {
        this.returning -= 1;
        this.requeue(pending);
      }, afterMs).unref();
      return;
    }
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
    const linger = this.lingerMs();
    // A linger that ends sooner than the one running (a batch finished and freed its orders) replaces it.
    if (this.timer && Date.now() + linger < this.timerDue) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.timer) return;
    this.timerDue = Date.now() + linger;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush(true);
    }, linger);
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
    if (backlog === 0) return this.waitsForCompany() ? BUSY_ORDER_WAIT_MS : 0;
    return backlog >= this.opts.batchSize ? LONG_LINGER * this.opts.lingerMs : this.opts.lingerMs;
  }

  /**
   * Nothing more is coming from the ready queue, but rows of this process will be back in line soon:
   * rows of orders its own batches are writing, and rows put back while another replica held their
   * order. A small batch of the rest now would leave them for another small batch right after (each
   * costs three K3Cloud calls), so the rest waits for them, up to BUSY_ORDER_WAIT_MS. Less than half
   * a batch only: a bigger one goes at once.
   */
  private waitsForCompany(): boolean {
    const selectable = this.selectableCount();
    if (selectable >= this.opts.batchSize / 2) return false;
    return this.returning > 0 || (this.inFlight > 0 && this.queue.length > selectable);
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
      // Rows not yet spoken for by batches waiting for a slot.
      const unclaimed = this.selectableCount() - this.admitting * this.opts.batchSize;
      const full = unclaimed >= this.opts.batchSize;
      const started = this.inFlight + this.admitting;
      if (unclaimed <= 0 || started >= (full ? fullLimit : partialLimit) || !(full || partial)) break;
      this.admitting += 1;
      void this.launch();
    }
    // Rows left behind (their order is busy, or every slot is taken) go when a batch finishes.
  }

  /** Waits for a batch slot, then forms the batch from the rows waiting at that moment and writes it. */
  private async launch(): Promise<void> {
    let release: () => Promise<void> = async () => undefined;
    try {
      if (this.opts.admit) release = await this.opts.admit();
    } catch {
      // Only a closed limiter refuses (shutdown): the rows still waiting are rejected by close().
      return;
    } finally {
      this.admitting -= 1;
    }
    const batch = this.take();
    if (batch.length === 0) {
      await release();
      return;
    }
    const orders = new Set(batch.map((p) => p.row.orderId));
    for (const order of orders) this.busy.add(order);
    const more: TopUp = (max, skipOrders) => {
      const added = this.takeMore(max, skipOrders);
      for (const p of added) {
        orders.add(p.row.orderId);
        this.busy.add(p.row.orderId);
        batch.push(p);
      }
      return added;
    };
    this.inFlight += 1;
    try {
      await this.opts.write([...batch], more, release);
    } catch (error) {
      for (const p of batch) p.reject(error);
    } finally {
      await release();
      this.inFlight -= 1;
      for (const order of orders) this.busy.delete(order);
      if (this.queue.length > 0) this.schedule();
    }
  }

  /** Up to `max` waiting rows (never solo ones) of orders neither busy nor in `skip`, a whole order at a time. */
  private takeMore(max: number, skip: ReadonlySet<string>): PendingRow[] {
    if (this.closed || max <= 0) return [];
    const counts = new Map<string, number>();
    for (const p of this.queue) counts.set(p.row.orderId, (counts.get(p.row.orderId) ?? 0) + (p.solo ? Infinity : 1));
    const chosen = new Set<string>();
    let room = max;
    for (const [order, n] of counts) {
      if (n > room || this.busy.has(order) || skip.has(order)) continue;
      chosen.add(order);
      room -= n;
    }
    const taken = this.queue.filter((p) => chosen.has(p.row.orderId));
    this.queue = this.queue.filter((p) => !chosen.has(p.row.orderId));
    return taken;
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
