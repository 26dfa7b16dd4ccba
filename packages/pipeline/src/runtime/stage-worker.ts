import { Worker, type Job } from 'bullmq';
import { settlesWithin, type StageOutcome } from '@receipt-sync/core';
import { SERIES, type SeriesName } from '@receipt-sync/store';
import {
  cappedBackoff,
  checkJob,
  deadLetter,
  isStageQueue,
  queueKeyPrefix,
  receiptVersionKey,
  receiptVersionOf,
  recordDeadLetter,
  settleFailure,
  QUEUE_CATALOG,
  type PipelineJob,
  type QueueName,
} from '../queues';
import type { Runtime } from './runtime';

/** A processor of queue Q: receives only jobs whose data passed Q's schema. */
export type TypedProcessor<Q extends QueueName> = (job: PipelineJob<Q>, token: string | undefined) => Promise<unknown>;

/**
 * A worker over queue `name` whose processor sees typed, validated jobs. A job whose data fails the
 * catalog schema is settled here as invalid input (dead-lettered at once, no attempts wasted).
 */
export function startWorker<Q extends QueueName>(
  rt: Runtime,
  name: Q,
  processor: TypedProcessor<Q>,
  concurrency: number,
  /** The BullMQ queue worked, when it is one of Q's shards (`ready-3`); Q names it everywhere else. */
  queueName: string = name,
): Worker {
  const validated = async (job: Job, token: string | undefined): Promise<unknown> => {
    const checked = checkJob(name, job);
    return checked.ok ? processor(checked.job, token) : settleInvalid(rt, name, job, token, checked.error);
  };
  const worker = new Worker(queueName, validated, {
    connection: rt.connection,
    prefix: queueKeyPrefix(rt.config.queuePrefix, queueName),
    telemetry: rt.tracing?.bullmq,
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
  worker.on('error', (err) => rt.logger.warn({ err, queue: queueName }, 'worker error'));
  worker.on('failed', (job, err) => void backstop(rt, name, job, err));
  return worker;
}

async function settleInvalid(
  rt: Runtime,
  queue: QueueName,
  job: Job,
  token: string | undefined,
  error: Error,
): Promise<unknown> {
  // Only stage queues carry receipts; a malformed scheduler tick fails like any other error.
  if (!isStageQueue(queue)) throw error;
  const settled = await settleFailure(job, token, error, {
    queues: rt.queues,
    tracker: rt.tracker,
    sourceQueue: queue,
    orderWaitDelaysMs: [],
  });
  countOutcome(rt, settled.outcome, settled.code);
  return { outcome: settled.outcome, reason: settled.reason };
}

/**
 * Processors settle every error themselves, so a `failed` event at the last attempt means BullMQ
 * failed the job on its own (stalled too often). The failed set keeps it; this also dead-letters it
 * so an operator sees it with the others (bull-board alerting recipe; not atomic, hence both).
 */
async function backstop(rt: Runtime, queue: QueueName, job: Job | undefined, err: Error): Promise<void> {
  if (!job || !isStageQueue(queue)) return;
  if (job.attemptsMade < (job.opts.attempts ?? 1) && !/stalled/.test(err.message)) return;
  try {
    const v = receiptVersionOf(queue, job.data);
    const receipt = v && receiptOf(queue, job.data);
    const record = await deadLetter(rt.queues, {
      job,
      sourceQueue: queue,
      kind: 'dead-lettered',
      error: err,
      receiptId: v?.receiptId,
      receiptNo: receipt?.receiptNo,
    });
    if (v) await rt.tracker.record(receiptVersionKey(v.receiptId, v.version, v.removed), 'dead-lettered');
    // The ledger says so too, with the reason; left `pending`, the receipt would look in flight for ever.
    if (v && receipt) await recordDeadLetter(rt.store.ledger, record, { ...receipt, sourceVersion: v.version });
    rt.metrics.receiptsDeadLettered.inc({ code: 'bullmq.failed' });
  } catch (error) {
    rt.logger.error({ err: error, jobId: job.id }, 'could not dead-letter a failed job; it stays in the failed set');
  }
}

/** The receipt number and sales order a valid stage job names, as the stages record them in the ledger. */
function receiptOf(
  queue: QueueName,
  data: unknown,
): { receiptId: string; receiptNo: string; orderId: string } | undefined {
  if (queue === 'ready') {
    const parsed = QUEUE_CATALOG.ready.schema.safeParse(data);
    return parsed.success
      ? { receiptId: parsed.data.receiptId, receiptNo: parsed.data.receiptNo, orderId: parsed.data.orderId }
      : undefined;
  }
  if (queue !== 'raw') return undefined;
  const parsed = QUEUE_CATALOG.raw.schema.safeParse(data);
  if (!parsed.success) return undefined;
  const r = parsed.data.receipt;
  const receiptId = String(r.cash_collection_id);
  const no = r.cash_collection_no;
  return {
    receiptId,
    receiptNo: typeof no === 'string' && no ? no : `#${receiptId}`,
    orderId: r.order_id === undefined || r.order_id === null ? '' : String(r.order_id),
  };
}

export function countOutcome(rt: Runtime, outcome: StageOutcome, code?: string): void {
  if (outcome === 'written') rt.metrics.receiptsWritten.inc();
  else if (outcome === 'unchanged') rt.metrics.receiptsUnchanged.inc();
  else if (outcome === 'quarantined') rt.metrics.receiptsQuarantined.inc({ reason: code ?? 'unknown' });
  else if (outcome === 'dead-lettered') rt.metrics.receiptsDeadLettered.inc({ code: code ?? 'unknown' });
  const series = CHARTED_OUTCOMES[outcome];
  // A chart point is worth less than the receipt: a failed count is logged, never thrown into the job.
  if (series)
    rt.series.add(series).catch((err: unknown) => rt.logger.warn({ err, series }, 'could not count an outcome'));
}

/** Outcomes the dashboard charts per minute (SERIES in @receipt-sync/store). */
const CHARTED_OUTCOMES: Partial<Record<StageOutcome, SeriesName>> = {
  written: SERIES.written,
  unchanged: SERIES.unchanged,
  quarantined: SERIES.quarantined,
  'dead-lettered': SERIES.deadLettered,
};

/**
 * Closes workers, waiting for their running jobs up to SHUTDOWN_TIMEOUT_MS; a worker still not closed
 * then is disconnected, and the close returns at most 2 s later whatever the worker does. After a
 * Redis Cluster failover a BullMQ worker's close (and its disconnect) can wait for ever on a command
 * that went to the node that died: seen as a `sync:once` that finished its cycle and never
 * returned, in about one failover test in three.
 */
export async function closeWorkers(rt: Runtime, workers: readonly Worker[]): Promise<void> {
  const { logger } = rt;
  const deadlineMs = rt.config.shutdownTimeoutMs;
  const open = new Set(workers);
  const closing = Promise.all(workers.map((w) => w.close().finally(() => open.delete(w))));
  if (await settlesWithin(closing, deadlineMs)) return;
  for (const worker of open) {
    logger.warn({ queue: worker.name, deadlineMs }, 'a BullMQ worker did not close in time; disconnecting it');
    // Disconnecting can wait on the same dead node: it gets 2 s, then the worker is left behind.
    void settlesWithin(worker.disconnect(), 2_000);
  }
  await settlesWithin(closing, 2_000);
}
