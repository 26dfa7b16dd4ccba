import type { DefaultJobOptions } from 'bullmq';

/** Every BullMQ queue of the pipeline. Keys in Redis are `${QUEUE_PREFIX}:${name}:…`. */
export const QUEUE_NAMES = {
  /** Scheduler ticks; each opens one sync window. Global concurrency 1. */
  windows: 'windows',
  /** OKKI push events (docs/apis/okki.md §12), one fetch per receipt; bursts collapse (push/enqueue-push.ts). */
  push: 'push',
  /** Receipts as fetched from OKKI, one job per receipt version. */
  raw: 'raw',
  /** Mapped K3Cloud rows waiting for BatchSave. */
  ready: 'ready',
  /** Jobs that failed for good (permanent error or retries exhausted). Replayable. */
  deadLetter: 'dead-letter',
  /** Receipts that fail data-quality rules (no order, bad amounts...). Replayable after a fix. */
  quarantine: 'quarantine',
} as const;

export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];
export const PIPELINE_QUEUES: QueueName[] = Object.values(QUEUE_NAMES);

const DAY_S = 24 * 3600;

/**
 * Retention is also the dedup window for deterministic job ids (bullmq job-ids docs; issues
 * #1337/#941): a completed raw job keeps a re-fetched identical version from being added again
 * for a day. The ledger, not Redis, is what makes writes idempotent after that.
 */
const retained = {
  removeOnComplete: { age: DAY_S, count: 50_000 },
  removeOnFail: { age: 14 * DAY_S },
} satisfies DefaultJobOptions;

export const DEFAULT_JOB_OPTIONS: Record<QueueName, DefaultJobOptions> = {
  windows: {
    attempts: 3,
    backoff: { type: 'exponential', delay: 5_000, jitter: 0.5 },
    removeOnComplete: { count: 500 },
    removeOnFail: { count: 500 },
  },
  // A push that cannot be fetched gives up after a few tries: the polling window sweeps it up.
  push: {
    attempts: 5,
    backoff: { type: 'capped-exponential' },
    removeOnComplete: { age: 3600, count: 10_000 },
    removeOnFail: { age: 7 * DAY_S },
  },
  // Timing of 'capped-exponential' comes from the worker's backoffStrategy (backoff.ts, RETRY_* env).
  raw: { attempts: 8, backoff: { type: 'capped-exponential' }, ...retained },
  ready: { attempts: 10, backoff: { type: 'capped-exponential' }, ...retained },
  // Dead letters are never processed by a worker and never expire: an operator replays or discards them.
  'dead-letter': { attempts: 1, removeOnComplete: false, removeOnFail: false },
  quarantine: { attempts: 1, removeOnComplete: false, removeOnFail: false },
};

/**
 * Back-off for a sales order that does not exist in K3Cloud yet: spread over hours, then dead-letter
 * (operating contract: "retried with a long back-off (the order may still be on its way)").
 */
export const DEFAULT_ORDER_WAIT_DELAYS_MS = [60_000, 300_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 14_400_000];

/** Worker settings shared by every stage (bullmq going-to-production, stalled-jobs docs). */
export interface StageWorkerTuning {
  /** Lock held by an active job; a killed process's jobs return to `wait` after this. @defaultValue 30000 */
  lockDurationMs: number;
  /** How often stalled jobs are looked for. @defaultValue 15000 */
  stalledIntervalMs: number;
  /** Stalls tolerated before a job fails; a SIGKILLed writer must not dead-letter its batch. @defaultValue 5 */
  maxStalledCount: number;
}

export const DEFAULT_WORKER_TUNING: StageWorkerTuning = {
  lockDurationMs: 30_000,
  stalledIntervalMs: 15_000,
  maxStalledCount: 5,
};
