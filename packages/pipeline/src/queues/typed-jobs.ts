import type { Job } from 'bullmq';
import { InvalidInputError } from '@receipt-sync/core';
import { QUEUE_CATALOG, type JobData, type QueueName, type ReceiptVersion, type StageQueueName } from './catalog';
import { describeIssues, type JobBookkeeping } from './payloads';

/** A job of queue Q whose data passed Q's schema. */
export type PipelineJob<Q extends QueueName> = Job<JobData<Q> & JobBookkeeping>;

export type CheckedJob<Q extends QueueName> =
  { ok: true; job: PipelineJob<Q> } | { ok: false; error: InvalidInputError };

/**
 * Validates a job's data against its queue's schema, once, before any processor sees it. Bad data
 * becomes an InvalidInputError naming the job and every bad field (a permanent failure). The data
 * is not replaced by the parsed copy: the pipeline's bookkeeping fields (`__*`) must survive.
 */
export function checkJob<Q extends QueueName>(queue: Q, job: Job): CheckedJob<Q> {
  const parsed = QUEUE_CATALOG[queue].schema.safeParse(job.data);
  if (parsed.success) return { ok: true, job: job as PipelineJob<Q> };
  return { ok: false, error: new InvalidInputError(`${queue} job ${job.id}`, describeIssues(parsed.error)) };
}

/** The receipt version a stage job carries, when its data is valid. */
export function receiptVersionOf(queue: StageQueueName, data: unknown): ReceiptVersion | undefined {
  const def = QUEUE_CATALOG[queue];
  const parsed = def.schema.safeParse(data);
  return parsed.success ? def.versionOf?.(parsed.data as never) : undefined;
}
