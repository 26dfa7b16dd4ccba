import type { DefaultJobOptions } from 'bullmq';
import type { z } from 'zod';
import { CAPPED_BACKOFF } from './backoff';
import {
  DeadLetterJobSchema,
  PushEventJobSchema,
  RawReceiptJobSchema,
  ReadyRowSchema,
  ReconcileRequestSchema,
  WindowTickSchema,
} from './payloads';

/**
 * What a queue is for, which decides who may act on its jobs: `scheduler`, `events` and `stage`
 * queues are worked by the pipeline and only watched by operators; `dead-letters` are never worked,
 * an operator replays or discards them. `events` (OKKI push) are hints: a job that gives up is not
 * dead-lettered, the polling window sweeps its receipt up. `requests` are worked by the pipeline on
 * an operator's demand (reconcile one receipt); their jobs carry no receipt through the stages, a
 * failed one is not dead-lettered, and the finished job's return value is the answer shown.
 */
export type QueueRole = 'scheduler' | 'events' | 'stage' | 'dead-letters' | 'requests';

/** The receipt version a stage job carries, for outcome reporting and dead letters. */
export interface ReceiptVersion {
  receiptId: string;
  version: string;
  removed: boolean;
}

export interface QueueDefinition<S extends z.ZodType = z.ZodType> {
  role: QueueRole;
  /** Validates job data at the edge: a worker hands its processor only data that passed. */
  schema: S;
  jobOptions: DefaultJobOptions;
  /** Shown to operators (Bull Board). */
  description: string;
  /** For stage queues: which receipt version a (valid) job carries. */
  versionOf?: (data: z.output<S>) => ReceiptVersion;
}

const defineQueue = <S extends z.ZodType, R extends QueueRole>(
  def: QueueDefinition<S> & { role: R },
): QueueDefinition<S> & { role: R } => def;

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

/** Dead letters are never processed by a worker and never expire: an operator replays or discards them. */
const keptForOperator = { attempts: 1, removeOnComplete: false, removeOnFail: false } satisfies DefaultJobOptions;

/**
 * Every BullMQ queue of the pipeline, one definition each: the key is the queue's name (keys in
 * Redis are `${QUEUE_PREFIX}:${name}:…`), the schema its job data, the options its job defaults.
 * Producers add typed data, workers parse with the schema once, Bull Board and replay read roles.
 */
export const QUEUE_CATALOG = {
  windows: defineQueue({
    role: 'scheduler',
    schema: WindowTickSchema,
    description: 'Scheduler ticks; each opens one sync window (read-only here).',
    jobOptions: {
      attempts: 3,
      backoff: { type: 'exponential', delay: 5_000, jitter: 0.5 },
      removeOnComplete: { count: 500 },
      removeOnFail: { count: 500 },
    },
  }),
  push: defineQueue({
    role: 'events',
    schema: PushEventJobSchema,
    description:
      'OKKI push events waiting for their receipt to be fetched; bursts for one receipt collapse (read-only here).',
    // A push that cannot be fetched gives up after a few tries: the polling window sweeps it up.
    jobOptions: {
      attempts: 5,
      backoff: { type: CAPPED_BACKOFF },
      removeOnComplete: { age: 3600, count: 10_000 },
      removeOnFail: { age: 7 * DAY_S },
    },
  }),
  raw: defineQueue({
    role: 'stage',
    schema: RawReceiptJobSchema,
    description: 'Receipts as fetched from OKKI (read-only here).',
    // The timing of CAPPED_BACKOFF comes from the worker's backoffStrategy (backoff.ts, RETRY_* env).
    jobOptions: { attempts: 8, backoff: { type: CAPPED_BACKOFF }, ...retained },
    versionOf: (d) => ({
      receiptId: String(d.receipt.cash_collection_id),
      version: d.receipt.update_time,
      removed: d.removed,
    }),
  }),
  ready: defineQueue({
    role: 'stage',
    schema: ReadyRowSchema,
    description: 'Mapped K3Cloud rows waiting for BatchSave (read-only here).',
    jobOptions: { attempts: 10, backoff: { type: CAPPED_BACKOFF }, ...retained },
    versionOf: (d) => ({ receiptId: d.receiptId, version: d.sourceVersion, removed: d.removed }),
  }),
  reconcile: defineQueue({
    role: 'requests',
    schema: ReconcileRequestSchema,
    description:
      'Reconcile requests from receipt pages, worked by the producer when it has OKKI and K3Cloud settings (read-only here).',
    // One job per receipt (id reconcile-<receiptId>); the finished job is the answer the receipt
    // page shows, so it is kept a few days. A request that fails twice reports its error instead.
    jobOptions: {
      attempts: 2,
      backoff: { type: 'fixed', delay: 5_000 },
      removeOnComplete: { age: 3 * DAY_S },
      removeOnFail: { age: 3 * DAY_S },
    },
  }),
  'dead-letter': defineQueue({
    role: 'dead-letters',
    schema: DeadLetterJobSchema,
    description:
      'Failed for good. Replay from the receipt-sync status page: it re-adds the job to its source queue with all attempts.',
    jobOptions: keptForOperator,
  }),
  quarantine: defineQueue({
    role: 'dead-letters',
    schema: DeadLetterJobSchema,
    description: 'Data-quality problems. Fix the data, then replay from the receipt-sync status page.',
    jobOptions: keptForOperator,
  }),
} as const;

type Catalog = typeof QUEUE_CATALOG;
export type QueueName = keyof Catalog;
/** Queues worked by a stage processor, whose failures are dead-lettered: `raw` and `ready`. */
export type StageQueueName = { [Q in QueueName]: Catalog[Q]['role'] extends 'stage' ? Q : never }[QueueName];
/** Queues holding dead letters: `dead-letter` and `quarantine`. */
export type DeadLetterQueueName = {
  [Q in QueueName]: Catalog[Q]['role'] extends 'dead-letters' ? Q : never;
}[QueueName];

/** The data a job of queue Q carries (what a producer adds and a processor receives). */
export type JobData<Q extends QueueName> = z.input<Catalog[Q]['schema']>;

export const PIPELINE_QUEUES = Object.keys(QUEUE_CATALOG) as QueueName[];
export const STAGE_QUEUES = PIPELINE_QUEUES.filter((q) => QUEUE_CATALOG[q].role === 'stage') as StageQueueName[];
export const DEAD_LETTER_QUEUES = PIPELINE_QUEUES.filter(
  (q) => QUEUE_CATALOG[q].role === 'dead-letters',
) as DeadLetterQueueName[];

export function isStageQueue(queue: QueueName): queue is StageQueueName {
  return QUEUE_CATALOG[queue].role === 'stage';
}
