import type { Lane } from '@receipt-sync/core';
import type { ReadyRow } from '../queues';

export type RowResult = { outcome: 'written'; fid: number; entryId: number } | { outcome: 'unchanged'; reason: string };

export interface PendingRow {
  row: ReadyRow;
  /** Saved alone in its own model: set after a multi-row model was rejected, to find the bad row. */
  solo: boolean;
  /**
   * Set on the flag of a moved receipt's row on its previous sales order (F_PBLH_Removed), saved in
   * the same BatchSave as the receipt's row on its new order: the row it belongs to.
   */
  flagOf?: PendingRow;
  /** The trace context of the job that submitted the row (BullMQ telemetry metadata), tracing on. */
  trace?: string;
  /** The row's lane: orders with a live row form the next batch first. Default live. */
  lane?: Lane;
  resolve(result: RowResult): void;
  reject(error: unknown): void;
}

/**
 * Adds a sales order to the batch in flight when no other batch holds it (a moved receipt's
 * previous order); false when another batch does. Held until the batch finishes.
 */
export type ReserveOrder = (orderId: string) => boolean;

export interface RowBatcherOptions {
  /** Rows per BatchSave at most (KINGDEE_BATCH_SIZE). */
  batchSize: number;
  /** How long the first waiting row waits for company before a partial batch goes (WRITER_LINGER_MS). */
  lingerMs: number;
  /** Batches in flight at most: the active writer's K3Cloud calls (KINGDEE_MAX_CONCURRENCY). */
  maxInFlight: number;
  /** Saves one batch; must settle (resolve, reject or requeue) every row it is given. */
  write(rows: PendingRow[], reserve: ReserveOrder): Promise<void>;
}

/**
 * Gathers ready rows from many concurrently active jobs into BatchSave calls: one model per sales
 * order, at most `batchSize` rows per call, and never two batches of one order in flight (K3Cloud
 * answers a second concurrent save of one bill with a network-control conflict, and the read before
 * a save must see the rows the previous save left). A full batch goes at once; a partial one after
 * `lingerMs`, when a slot is free. While every slot is busy, rows gather into fuller batches, so the
 * batch size follows the load by itself. Orders are named by their OKKI order id: the writer
 * resolves FIDs itself, in the batch's one query before the save.
 */
export class RowBatcher {
  private queue: PendingRow[] = [];
  private readonly busy = new Set<string>();
  /**
   * Rows a batch put back in line (isolated after a rejected model), by their settling callback (a
   * requeued row is a copy): the batch's failure no longer settles them.
   */
  private readonly returned = new WeakSet<PendingRow['resolve']>();
  /** When each waiting row joined the line: the linger runs from there, not from when a slot frees. */
  private readonly since = new WeakMap<PendingRow, number>();
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private closedWith: Error | undefined;

  constructor(private readonly opts: RowBatcherOptions) {}

  submit(row: ReadyRow, solo = false, trace?: string, lane: Lane = 'live'): Promise<RowResult> {
    return new Promise<RowResult>((resolve, reject) => this.enqueue({ row, solo, trace, lane, resolve, reject }));
  }

  /** Puts a row of a batch in flight back in line (isolated after a rejected model). */
  requeue(pending: PendingRow): void {
    this.returned.add(pending.resolve);
    this.enqueue(pending);
  }

  /** Batches in flight now. */
  inFlightCount(): number {
    return this.inFlight;
  }

  /** Rejects rows still waiting with `error`, and every row submitted from now on; batches in flight finish. */
  close(error: Error): void {
    this.closedWith = error;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const waiting = this.queue;
    this.queue = [];
    for (const p of waiting) p.reject(error);
  }

  private enqueue(pending: PendingRow): void {
    if (this.closedWith) {
      pending.reject(this.closedWith);
      return;
    }
    this.queue.push(pending);
    this.since.set(pending, performance.now());
    this.schedule();
  }

  /**
   * Full batches go at once; a partial one once its oldest row has lingered, if a slot is free then.
   * Rows that lingered while every slot was busy go as soon as one frees: at the end of a run the
   * last rows then wait for one batch in flight, not for it and the linger again. With every slot
   * busy no timer runs: the batch that finishes schedules again.
   */
  private schedule(): void {
    this.flush(false);
    if (this.timer || this.inFlight >= this.opts.maxInFlight) return;
    const oldest = this.oldestSelectable();
    if (oldest === undefined) return;
    const wait = this.opts.lingerMs - (performance.now() - oldest);
    if (wait <= 0) {
      this.flush(true);
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush(true);
    }, wait);
  }

  private selectableCount(): number {
    let n = 0;
    for (const p of this.queue) if (!this.busy.has(p.row.orderId)) n += 1;
    return n;
  }

  /** When the longest-waiting row of a free order joined the line; undefined when there is none. */
  private oldestSelectable(): number | undefined {
    let oldest: number | undefined;
    for (const p of this.queue) {
      if (this.busy.has(p.row.orderId)) continue;
      const at = this.since.get(p) ?? performance.now();
      if (oldest === undefined || at < oldest) oldest = at;
    }
    return oldest;
  }

  /** Sends batches while slots are free: full ones only, unless `partial` (the linger is over). */
  private flush(partial: boolean): void {
    while (this.inFlight < this.opts.maxInFlight) {
      const selectable = this.selectableCount();
      if (selectable === 0 || (!partial && selectable < this.opts.batchSize)) return;
      const batch = this.take();
      if (batch.length === 0) return;
      void this.launch(batch);
    }
    // Rows left behind (their order is busy, or every slot is taken) go when a batch finishes.
  }

  private async launch(batch: PendingRow[]): Promise<void> {
    const orders = new Set(batch.map((p) => p.row.orderId));
    for (const order of orders) this.busy.add(order);
    this.inFlight += 1;
    const reserve: ReserveOrder = (order) => {
      if (orders.has(order)) return true;
      if (this.busy.has(order)) return false;
      orders.add(order);
      this.busy.add(order);
      return true;
    };
    try {
      await this.opts.write([...batch], reserve);
    } catch (error) {
      for (const p of batch) if (!this.returned.has(p.resolve)) p.reject(error);
    } finally {
      this.inFlight -= 1;
      for (const order of orders) this.busy.delete(order);
      for (const p of batch) this.returned.delete(p.resolve);
      if (this.queue.length > 0) this.schedule();
    }
  }

  /**
   * Up to a batch of waiting rows of free orders; a solo row goes with no other row of its order.
   * Orders with a live row are looked at first (livePreferred), each order's rows in line order.
   */
  private take(): PendingRow[] {
    const taken: PendingRow[] = [];
    const rest: PendingRow[] = [];
    const soloOrders = new Set<string>();
    const groupedOrders = new Set<string>();
    for (const p of livePreferred(this.queue)) {
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

/**
 * The waiting rows, those of orders that have a live row first: a live row and the bulk rows of its
 * order stay together, and every order's rows keep their order in line, so no version of a receipt
 * passes an older one of the same order. Rows of other orders follow in line order.
 */
export function livePreferred(queue: readonly PendingRow[]): PendingRow[] {
  const liveOrders = new Set<string>();
  for (const p of queue) if ((p.lane ?? 'live') === 'live') liveOrders.add(p.row.orderId);
  if (liveOrders.size === 0 || liveOrders.size === new Set(queue.map((p) => p.row.orderId)).size) return [...queue];
  const first = queue.filter((p) => liveOrders.has(p.row.orderId));
  return [...first, ...queue.filter((p) => !liveOrders.has(p.row.orderId))];
}
