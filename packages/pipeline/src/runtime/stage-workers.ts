import { Worker, type Job, type Processor } from 'bullmq';
import { buildSaveOptions, needsEnrichment } from '@receipt-sync/mapping';
import { createBatchWriter, OrderLocks, RowBatcher, writeRow, type WriterSaveOptions } from '../writer';
import {
  cappedBackoff,
  deadLetter,
  QUEUE_NAMES,
  RawReceiptJobSchema,
  ReadyRowJobSchema,
  receiptVersionKey,
  type QueueName,
} from '../queues';
import { OrderResolver, transformReceipt } from '../transformer';
import { runWindow, type WindowRun } from '../producer';
import { SERIES, type SeriesName } from '@receipt-sync/store';
import type { Runtime } from './runtime';
import { waitForWindowLock, withWindowLock } from './window-lock';

export interface RunningStage {
  worker: Worker;
  close(): Promise<void>;
}

function startWorker(rt: Runtime, name: QueueName, processor: Processor, concurrency: number): Worker {
  const worker = new Worker(name, processor, {
    connection: rt.connection,
    prefix: rt.config.queuePrefix,
    concurrency,
    lockDuration: rt.config.workers.lockMs,
    stalledInterval: Math.max(1000, Math.floor(rt.config.workers.lockMs / 2)),
    // A SIGKILLed writer must not dead-letter its whole batch: its jobs come back and the
    // read-before-write makes the second run safe (bullmq stalled-jobs docs: default 1).
    maxStalledCount: 5,
    metrics: { maxDataPoints: 60 * 24 * 7 },
    settings: {
      backoffStrategy: cappedBackoff({
        baseDelayMs: rt.config.workers.retryBaseDelayMs,
        maxDelayMs: rt.config.workers.retryMaxDelayMs,
      }),
    },
  });
  worker.on('error', (err) => rt.logger.warn({ err, queue: name }, 'worker error'));
  worker.on('failed', (job, err) => void backstop(rt, name, job, err));
  return worker;
}

/**
 * Processors settle every error themselves, so a `failed` event at the last attempt means BullMQ
 * failed the job on its own (stalled too often). The failed set keeps it; this also dead-letters it
 * so an operator sees it with the others (bull-board alerting recipe; not atomic, hence both).
 */
async function backstop(rt: Runtime, queue: QueueName, job: Job | undefined, err: Error): Promise<void> {
  if (!job || (queue !== 'raw' && queue !== 'ready')) return;
  if (job.attemptsMade < (job.opts.attempts ?? 1) && !/stalled/.test(err.message)) return;
  try {
    const raw = queue === 'raw' ? RawReceiptJobSchema.safeParse(job.data) : undefined;
    const ready = queue === 'ready' ? ReadyRowJobSchema.safeParse(job.data) : undefined;
    const receiptId = raw?.success
      ? String(raw.data.receipt.cash_collection_id)
      : ready?.success
        ? ready.data.receiptId
        : undefined;
    const version = raw?.success ? raw.data.receipt.update_time : ready?.success ? ready.data.sourceVersion : undefined;
    const removed = raw?.success ? raw.data.removed : ready?.success ? ready.data.removed : false;
    await deadLetter(rt.queues, { job, sourceQueue: queue, kind: 'dead-lettered', error: err, receiptId });
    if (receiptId && version) await rt.tracker.record(receiptVersionKey(receiptId, version, removed), 'dead-lettered');
    rt.metrics.receiptsDeadLettered.inc({ code: 'bullmq.failed' });
  } catch (error) {
    rt.logger.error({ err: error, jobId: job.id }, 'could not dead-letter a failed job; it stays in the failed set');
  }
}

/** Opens one window now (under the cross-process window lock); undefined when another holds it. */
export async function openWindow(
  rt: Runtime,
  trigger: string,
  opts: { deferAdvance?: boolean; waitForLock?: boolean } = {},
): Promise<WindowRun | undefined> {
  const okki = rt.okki;
  if (!okki) throw new Error('the producer needs an OKKI client');
  const lock = opts.waitForLock ? waitForWindowLock : withWindowLock;
  return lock(rt.connection, rt.config.queuePrefix, async () => {
    rt.metrics.windowInFlight.set(1);
    try {
      return await runWindow(
        {
          store: rt.store,
          queues: rt.queues,
          tracker: rt.tracker,
          source: okki,
          logger: rt.logger,
          settings: { ...rt.config.sync, pageSize: rt.config.okki!.pageSize },
          onFetched: (n, removed) => rt.metrics.receiptsFetched.inc({ removed: String(removed) }, n),
        },
        trigger,
        { deferAdvance: opts.deferAdvance },
      );
    } finally {
      rt.metrics.windowInFlight.set(0);
    }
  });
}

/** The producer: a job scheduler ticks every SYNC_INTERVAL_SECONDS; one window per tick. */
export async function startProducerStage(rt: Runtime): Promise<RunningStage> {
  const windows = rt.queues[QUEUE_NAMES.windows];
  await windows.setGlobalConcurrency(1);
  // Upserted from one place at every boot (anchors A10: idempotent; avoid racing upserts).
  await windows.upsertJobScheduler(
    'receipt-windows',
    { every: rt.config.sync.intervalSeconds * 1000 },
    { name: 'tick', data: { trigger: 'schedule' } },
  );
  const worker = startWorker(
    rt,
    QUEUE_NAMES.windows,
    async (job) => {
      const run = await openWindow(rt, (job.data as { trigger?: string }).trigger ?? 'schedule');
      return run ?? { skipped: 'another window is running or the window is empty' };
    },
    1,
  );
  return { worker, close: () => worker.close() };
}

export async function startTransformerStage(rt: Runtime): Promise<RunningStage> {
  if (!rt.k3) throw new Error('the transformer needs a K3Cloud client (order lookups)');
  const orders = new OrderResolver({
    index: rt.store.orders,
    k3: rt.k3,
    formId: rt.mapping.formId,
    orderKeyField: rt.mapping.order.targetField,
    logger: rt.logger,
  });
  const enrich = rt.okki && rt.config.okki?.enrichBank && needsEnrichment(rt.mapping) ? rt.okki : undefined;
  const deps = {
    queues: rt.queues,
    tracker: rt.tracker,
    ledger: rt.store.ledger,
    mapping: rt.mapping,
    orders,
    info: enrich,
    orderWaitDelaysMs: rt.config.workers.orderWaitDelaysMs,
    logger: rt.logger,
    onOutcome: (outcome: string, d: { code?: string }) => countOutcome(rt, outcome, d.code),
  };
  const worker = startWorker(
    rt,
    QUEUE_NAMES.raw,
    (job, token) => transformReceipt(job, token, deps),
    rt.config.workers.transformerConcurrency,
  );
  return { worker, close: () => worker.close() };
}

export async function startWriterStage(rt: Runtime): Promise<RunningStage & { batcher: RowBatcher }> {
  const k3 = rt.k3;
  if (!k3 || !rt.config.k3cloud) throw new Error('the writer needs a K3Cloud client');
  // Order locks live as long as a job lock: a killed writer blocks its orders no longer than its jobs.
  const locks = new OrderLocks(rt.connection, rt.config.queuePrefix, rt.config.workers.lockMs);
  // The batcher and its writer refer to each other: the writer requeues rows into the batcher.
  const batcher: RowBatcher = new RowBatcher({
    batchSize: rt.config.k3cloud.batchSize,
    lingerMs: rt.config.workers.writerLingerMs,
    maxInFlight: rt.config.k3cloud.maxConcurrency,
    write: (rows) => write(rows),
  });
  const write = createBatchWriter({
    k3,
    ledger: rt.store.ledger,
    locks,
    logger: rt.logger,
    saveOptions: writerSaveOptions(rt),
    requeue: (p) => batcher.requeue(p),
  });
  const deps = {
    queues: rt.queues,
    tracker: rt.tracker,
    ledger: rt.store.ledger,
    batcher,
    logger: rt.logger,
    onOutcome: (outcome: string, d: { code?: string }) => countOutcome(rt, outcome, d.code),
  };
  const worker = startWorker(
    rt,
    QUEUE_NAMES.ready,
    (job, token) => writeRow(job, token, deps),
    rt.config.workers.writerConcurrency,
  );
  return {
    worker,
    batcher,
    async close() {
      await worker.close();
      batcher.close();
    },
  };
}

function countOutcome(rt: Runtime, outcome: string, code?: string): void {
  if (outcome === 'written') rt.metrics.receiptsWritten.inc();
  else if (outcome === 'unchanged') rt.metrics.receiptsUnchanged.inc();
  else if (outcome === 'quarantined') rt.metrics.receiptsQuarantined.inc({ reason: code ?? 'unknown' });
  else if (outcome === 'dead-lettered') rt.metrics.receiptsDeadLettered.inc({ code: code ?? 'unknown' });
  const series = CHARTED_OUTCOMES[outcome];
  // A chart point is worth less than the receipt: a failed count is logged, never thrown into the job.
  if (series)
    rt.series.add(series).catch((err: unknown) => rt.logger.warn({ err, series }, 'could not count an outcome'));
}

const CHARTED_OUTCOMES: Record<string, SeriesName | undefined> = {
  written: SERIES.written,
  unchanged: SERIES.unchanged,
  quarantined: SERIES.quarantined,
  'dead-lettered': SERIES.deadLettered,
};

/**
 * The mapping spells K3Cloud's option names (IsDeleteEntry...), the client takes camel case. An
 * option lost here would fall back to K3Cloud's default IsDeleteEntry=true and delete other rows
 * of the order, so the translation is explicit and isDeleteEntry is pinned to false.
 */
function writerSaveOptions(rt: Runtime): WriterSaveOptions {
  const o = buildSaveOptions(rt.mapping);
  return {
    isDeleteEntry: false,
    isAutoSubmitAndAudit: o.IsAutoSubmitAndAudit,
    isVerifyBaseDataField: o.IsVerifyBaseDataField,
  };
}
