import type { BackoffStrategy } from 'bullmq';

export const CAPPED_BACKOFF = 'capped-exponential';

export interface RetryTiming {
  /** First retry after about this long. @defaultValue 1000 */
  baseDelayMs: number;
  /** No retry waits longer than this. @defaultValue 60000 */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_TIMING: RetryTiming = { baseDelayMs: 1_000, maxDelayMs: 60_000 };

/**
 * Exponential back-off with "equal jitter", capped: BullMQ's built-in exponential doubles without
 * bound, so the tenth attempt of a ready job would wait over eight minutes. Replicas retrying the
 * same failure spread out instead of hammering K3Cloud together.
 */
export function cappedBackoff(timing: RetryTiming, random: () => number = Math.random): BackoffStrategy {
  return (attemptsMade) => {
    const ceiling = Math.min(timing.maxDelayMs, timing.baseDelayMs * 2 ** Math.max(0, attemptsMade - 1));
    return Math.round(ceiling / 2 + random() * (ceiling / 2));
  };
}
