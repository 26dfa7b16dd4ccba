import type { Job } from 'bullmq';
import type { DeadLetterKind } from '@receipt-sync/core';
import type { LedgerRepo } from '@receipt-sync/store';
import type { PipelineQueues } from './connection';
import { deadLetter } from './dead-letter';
import { decideFailure, waitAndRetry } from './failure-handling';
import { deadLetterJobId } from './job-ids';
import type { OutcomeTracker } from './outcomes';
import type { StageQueueName } from './catalog';
import type { DeadLetterJob, JobBookkeeping } from './payloads';

export interface SettleContext {
  queues: PipelineQueues;
  tracker: OutcomeTracker;
  sourceQueue: StageQueueName;
  orderWaitDelaysMs: number[];
  /** Identifies the receipt version for outcome reporting. */
  versionKey?: string;
  receiptId?: string;
  receiptNo?: string;
  windowId?: string;
  /** Called once a record is dead-lettered or quarantined (ledger, metrics, logs). */
  onDeadLetter?: (record: DeadLetterJob, error: unknown) => Promise<void> | void;
}

export type Settled = { outcome: DeadLetterKind; code: string; reason: string };

/**
 * Applies decideFailure to a job inside its processor: rethrows for a retry, moves it to delayed
 * for a wait, or dead-letters it and returns normally so the job completes with that outcome.
 */
export async function settleFailure(
  job: Job,
  token: string | undefined,
  error: unknown,
  ctx: SettleContext,
): Promise<Settled> {
  const decision = decideFailure(error, {
    attemptsMade: job.attemptsMade,
    maxAttempts: job.opts.attempts ?? 1,
    attemptsStarted: job.attemptsStarted,
    dependencyWaits: (job.data as JobBookkeeping).__dependencyWaits ?? 0,
    orderWaitDelaysMs: ctx.orderWaitDelaysMs,
  });
  if (decision.action === 'retry') throw error;
  if (decision.action === 'wait') return waitAndRetry(job, token, decision.delayMs, decision.countsAsDependencyWait);
  const record = await deadLetter(ctx.queues, {
    job,
    sourceQueue: ctx.sourceQueue,
    kind: decision.kind,
    error,
    receiptId: ctx.receiptId,
    receiptNo: ctx.receiptNo,
    windowId: ctx.windowId,
  });
  if (ctx.versionKey) await ctx.tracker.record(ctx.versionKey, decision.kind);
  await ctx.onDeadLetter?.(record, error);
  return { outcome: decision.kind, code: record.code, reason: record.reason };
}

/** Records in the ledger that a receipt ended on a dead-letter queue: the outcome and the error. */
export async function recordDeadLetter(
  ledger: Pick<LedgerRepo, 'recordOutcome'>,
  record: DeadLetterJob,
  receipt: { receiptId: string; receiptNo: string; orderId: string; sourceVersion: string },
): Promise<void> {
  await ledger.recordOutcome(receipt.receiptId, {
    status: record.kind,
    receiptNo: receipt.receiptNo,
    orderId: receipt.orderId,
    sourceVersion: receipt.sourceVersion,
    // The receipt page and "Replay all of this cause" replay it by this id.
    deadLetterId: deadLetterJobId(record.sourceJobId),
    lastError: {
      code: record.code,
      message: record.reason,
      at: new Date(),
      ...(record.why ? { why: record.why } : {}),
    },
  });
}
