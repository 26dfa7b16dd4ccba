import { createHash } from 'node:crypto';
import { InvalidInputError, type Lane, type Logger } from '@receipt-sync/core';
import {
  addRawVersions,
  receiptVersionKey,
  deadLetter,
  type OutcomeTracker,
  type PipelineQueues,
  type RawReceiptJob,
} from '../queues';
import type { Tracing } from '../tracing';
import type { ProducerStore, ReceiptSource } from './ports';
import { nextWindow, RECEIPT_STREAM, type WindowBounds, type WindowSettings } from './window-bounds';

export interface ProducerDeps {
  store: ProducerStore;
  queues: PipelineQueues;
  tracker: OutcomeTracker;
  source: ReceiptSource;
  logger: Logger;
  settings: WindowSettings & { pageSize: number };
  now?: () => Date;
  onFetched?: (count: number, removed: boolean) => void;
  /** Receipt versions just enqueued (push bookkeeping: a version polling sees first is a missed push). */
  onVersionsSeen?: (versionKeys: string[]) => Promise<void>;
  /** The newest checkpoint this process has seen: where to resume if the store loses it. */
  memory?: CheckpointMemory;
  /** Tracing on: each receipt version the window enqueues starts its own trace. */
  tracing?: Pick<Tracing, 'receiptSeen'>;
  /** Stops paging (the window fails, the checkpoint stays): sync:once when its preflight fails. */
  signal?: AbortSignal;
}

/** Kept by a long-running producer across windows (Runtime.checkpointMemory). */
export interface CheckpointMemory {
  windowEnd?: string;
}

export interface WindowRun {
  windowId: string;
  /** The checkpoint the window was opened from (compare-and-set guard for a deferred advance). */
  previousCheckpoint?: string;
  windowStart: string;
  windowEnd: string;
  fetched: number;
  invalid: number;
  /** False when another producer advanced the checkpoint first (the window's jobs still count). */
  advanced: boolean;
}

const BULK = 500;
/**
 * The window's first receipts go to `raw` in a small chunk: the transformer's receipt/info calls (the
 * run's OKKI budget, when enriching) start after one short enqueue instead of after a whole page's.
 */
const FIRST_CHUNK = 10;
/**
 * A polling window's first receipts go to the live lane; past this many the window is a bulk import
 * or a catch-up after downtime, and the rest go to the bulk lane (docs/architecture.md#lanes).
 */
export const LIVE_WINDOW_RECEIPTS = 200;

/**
 * One sync window: page active then removed receipts of the fixed window into `raw` (addBulk is
 * atomic per chunk), then advance the checkpoint by compare-and-set. The checkpoint moves only after
 * every receipt of the window is durably enqueued (Singer: "save state too early → data missing").
 */
export async function runWindow(
  deps: ProducerDeps,
  trigger = 'schedule',
  opts: { deferAdvance?: boolean } = {},
): Promise<WindowRun | undefined> {
  const checkpoint = await deps.store.checkpoints.get(RECEIPT_STREAM);
  const memory = deps.memory;
  if (checkpoint) {
    if (memory && (!memory.windowEnd || checkpoint.windowEnd > memory.windowEnd))
      memory.windowEnd = checkpoint.windowEnd;
  } else if (memory?.windowEnd) {
    // Redis restarted empty (or the store was reset): every job pending in Redis (order waits, dead
    // letters, rows in flight) went with it. Re-reading from SYNC_START_TIME finds them all again and
    // the read-before-write keeps K3Cloud exactly once; without it, the newest checkpoint seen is
    // the best place left to resume from.
    deps.logger.error(
      { remembered: memory.windowEnd, startTime: deps.settings.startTime },
      deps.settings.startTime
        ? 'the sync checkpoint is gone from the store (Redis restarted empty?); re-reading every receipt since SYNC_START_TIME'
        : 'the sync checkpoint is gone from the store (Redis restarted empty?); SYNC_START_TIME is unset, so resuming from the last checkpoint this process saw — receipts that were waiting in Redis are not re-read: run a backfill over the span before it',
    );
  }
  const window = nextWindow(
    checkpoint?.windowEnd ?? (deps.settings.startTime ? undefined : memory?.windowEnd),
    (deps.now ?? (() => new Date()))(),
    deps.settings,
  );
  if (!window) return undefined;
  // The advance is a compare-and-set against what the store really holds (nothing, when it was lost).
  if (!checkpoint) window.previousCheckpoint = undefined;
  return runFixedWindow(deps, window, { trigger, stream: RECEIPT_STREAM, deferAdvance: opts.deferAdvance });
}

/**
 * Pages one explicit window and advances `stream`'s checkpoint to its end by compare-and-set
 * against `window.previousCheckpoint`. Backfills use their own stream so they never move the live
 * checkpoint.
 */
export async function runFixedWindow(
  deps: ProducerDeps,
  window: WindowBounds,
  opts: {
    trigger: string;
    stream: string;
    /** sync:once advances only after every job finished. */ deferAdvance?: boolean;
    /** `bulk` (a backfill): every receipt in the bulk lane; default the live lane up to LIVE_WINDOW_RECEIPTS. */
    lane?: Lane;
  },
): Promise<WindowRun> {
  const log = deps.logger.child({
    windowId: window.id,
    windowStart: window.start,
    windowEnd: window.end,
    trigger: opts.trigger,
  });
  await deps.store.windows.open({ id: window.id, start: window.start, end: window.end });
  log.info('window opened');
  let fetched = 0;
  let fetchedRemoved = 0;
  let invalid = 0;
  // A page's receipts go to `raw` as soon as the page is read: the transformer and writer start on
  // the first page instead of waiting for five (the OKKI pages are the run's first 80 ms steps).
  const chunk = Math.min(BULK, deps.settings.pageSize);
  let flushes = 0;
  let enqueued = 0;
  const laneNow = (): Lane =>
    deps.settings.lanes !== false && (opts.lane === 'bulk' || enqueued >= LIVE_WINDOW_RECEIPTS) ? 'bulk' : 'live';
  try {
    for (const removed of [false, true]) {
      let batch: Array<{ name: string; data: RawReceiptJob; opts?: { telemetry?: { metadata: string } } }> = [];
      let keys: string[] = [];
      const flush = async () => {
        if (batch.length === 0) return;
        await deps.tracker.recordFetched(window.id, keys);
        await deps.store.history.record(
          batch.map((b) => ({
            receiptId: String(b.data.receipt.cash_collection_id),
            updateTime: b.data.receipt.update_time,
            removed,
            source: 'window' as const,
            windowId: window.id,
          })),
        );
        if (deps.tracing)
          for (const b of batch) b.opts = { telemetry: { metadata: receiptTrace(deps.tracing, b.data) } };
        await addRawVersions(deps.queues, batch, laneNow());
        enqueued += batch.length;
        deps.onFetched?.(batch.length, removed);
        await deps.onVersionsSeen?.(keys);
        batch = [];
        keys = [];
        flushes += 1;
      };
      const fetchedAt = new Date().toISOString();
      for await (const item of deps.source.iterateWindow({
        startTime: window.start,
        endTime: window.end,
        removed,
        pageSize: deps.settings.pageSize,
      })) {
        deps.signal?.throwIfAborted();
        fetched += 1;
        if (removed) fetchedRemoved += 1;
        if (item.kind === 'invalid') {
          invalid += 1;
          await quarantineUnreadable(deps, window.id, item.raw, item.issues, removed);
          continue;
        }
        const r = item.receipt;
        keys.push(receiptVersionKey(r.cash_collection_id, r.update_time, removed));
        batch.push({
          name: removed ? 'removed-receipt' : 'receipt',
          data: { windowId: window.id, removed, fetchedAt, receipt: r },
        });
        if (batch.length >= (flushes === 0 ? FIRST_CHUNK : chunk)) await flush();
      }
      await flush();
    }
  } catch (error) {
    await deps.store.windows.update(window.id, {
      status: 'failed',
      error: String(error),
      counts: { fetched, removed: fetchedRemoved },
      finishedAt: new Date(),
    });
    throw error;
  }
  const advanced = opts.deferAdvance
    ? false
    : await deps.store.checkpoints.advance(opts.stream, window.end, window.previousCheckpoint);
  if (advanced && opts.stream === RECEIPT_STREAM && deps.memory) deps.memory.windowEnd = window.end;
  if (!advanced && !opts.deferAdvance)
    log.warn('checkpoint was advanced by another producer; this window stays enqueued but does not move it');
  await deps.store.windows.update(window.id, {
    status: 'enqueued',
    counts: { fetched, removed: fetchedRemoved, enqueued: fetched - invalid },
    finishedAt: new Date(),
  });
  log.info({ fetched, invalid }, 'window enqueued');
  return {
    windowId: window.id,
    previousCheckpoint: window.previousCheckpoint,
    windowStart: window.start,
    windowEnd: window.end,
    fetched,
    invalid,
    advanced,
  };
}

/** A list item without a usable id or update_time cannot enter the pipeline; an operator must see it. */
async function quarantineUnreadable(
  deps: ProducerDeps,
  windowId: string,
  raw: unknown,
  issues: string[],
  removed: boolean,
): Promise<void> {
  const digest = createHash('sha256')
    .update(JSON.stringify(raw) ?? 'undefined')
    .digest('hex')
    .slice(0, 24);
  const key = `unreadable-${digest}`;
  await deps.tracker.recordFetched(windowId, [key]);
  await deadLetter(deps.queues, {
    job: { id: key, data: { windowId, removed, receipt: raw }, attemptsMade: 0 },
    sourceQueue: 'raw',
    kind: 'quarantined',
    error: new InvalidInputError('OKKI list item unreadable', issues),
    windowId,
  });
  await deps.tracker.record(key, 'quarantined');
}

function receiptTrace(tracing: Pick<Tracing, 'receiptSeen'>, data: RawReceiptJob): string {
  return tracing.receiptSeen({
    receiptId: String(data.receipt.cash_collection_id),
    updateTime: data.receipt.update_time,
    removed: data.removed,
    windowId: data.windowId,
  });
}
