import { DelayedError, type Job } from 'bullmq';
import { isSyncError, QuarantineError, type DeadLetterKind, type Disposition } from '@receipt-sync/core';
import type { JobBookkeeping } from './payloads';

export type FailureDecision =
  | { action: 'retry' }
  | { action: 'wait'; delayMs: number; countsAsDependencyWait: boolean }
  | { action: 'dead-letter'; kind: DeadLetterKind };

export interface FailureContext {
  /** Attempts already spent before this one (job.attemptsMade). */
  attemptsMade: number;
  maxAttempts: number;
  /** Times this job has already waited for a missing dependency (sales order). */
  dependencyWaits: number;
  /** Times this job has already been started (job.attemptsStarted); bounds endless rate-limit waits. */
  attemptsStarted: number;
  orderWaitDelaysMs: number[];
}

const MAX_RATE_LIMIT_WAIT_MS = 5 * 60_000;

/**
 * THE place where an error becomes a queue decision (docs/architecture.md#failures): processors never decide ad hoc.
 * - permanent: dead-letter now (quarantine for data-quality problems), no attempts wasted;
 * - rate-limited: wait without spending an attempt;
 * - awaiting-dependency: wait on the long order schedule, then dead-letter (missing or locked order);
 * - misconfigured: wait without spending an attempt and never dead-letter: the mapping does not fit
 *   K3Cloud's metadata (the writer holds work until its preflight passes again), or K3Cloud refused
 *   the credentials (the login gate decides when the next login may run);
 * - transient / ambiguous / unknown: retry with back-off until attempts run out, then dead-letter.
 *   Ambiguous writes are safe to retry because the writer reads K3Cloud rows before saving.
 */
export function decideFailure(error: unknown, ctx: FailureContext): FailureDecision {
  const disposition: Disposition = isSyncError(error) ? error.disposition : 'transient';
  const lastAttempt = ctx.attemptsMade + 1 >= ctx.maxAttempts;
  switch (disposition) {
    case 'permanent':
      return {
        action: 'dead-letter',
        kind:
          error instanceof QuarantineError || (isSyncError(error) && error.code === 'receipt.quarantined')
            ? 'quarantined'
            : 'dead-lettered',
      };
    case 'rate-limited': {
      if (ctx.attemptsStarted > ctx.maxAttempts * 10) return { action: 'dead-letter', kind: 'dead-lettered' };
      const wait = isSyncError(error) && error.retryAfterMs ? error.retryAfterMs : 1_000;
      return { action: 'wait', delayMs: Math.min(wait, MAX_RATE_LIMIT_WAIT_MS), countsAsDependencyWait: false };
    }
    case 'misconfigured': {
      const wait = isSyncError(error) && error.retryAfterMs ? error.retryAfterMs : 60_000;
      return { action: 'wait', delayMs: Math.min(wait, MAX_RATE_LIMIT_WAIT_MS), countsAsDependencyWait: false };
    }
    case 'awaiting-dependency': {
      const delay = ctx.orderWaitDelaysMs[ctx.dependencyWaits];
      return delay === undefined
        ? { action: 'dead-letter', kind: 'dead-lettered' }
        : { action: 'wait', delayMs: delay, countsAsDependencyWait: true };
    }
    default:
      return lastAttempt ? { action: 'dead-letter', kind: 'dead-lettered' } : { action: 'retry' };
  }
}

/**
 * Moves a job back to `delayed` without spending an attempt (bullmq: DelayedError does not
 * increase attemptsMade). Must be thrown from the processor that holds `token`.
 */
export async function waitAndRetry(
  job: Job,
  token: string | undefined,
  delayMs: number,
  bumpDependencyWait: boolean,
): Promise<never> {
  if (bumpDependencyWait) {
    const data = job.data as JobBookkeeping;
    await job.updateData({ ...job.data, __dependencyWaits: (data.__dependencyWaits ?? 0) + 1 });
  }
  await job.moveToDelayed(Date.now() + delayMs, token);
  throw new DelayedError();
}
