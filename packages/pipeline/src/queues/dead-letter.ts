import { problemWhySchema } from '@receipt-sync/store';
import type { Job } from 'bullmq';
import { describeError, errorCode, isSyncError, type DeadLetterKind } from '@receipt-sync/core';
import type { PipelineQueues } from './connection';
import type { DeadLetterQueueName, StageQueueName } from './catalog';
import { deadLetterJobId } from './job-ids';
import type { DeadLetterJob, JobBookkeeping } from './payloads';

export interface DeadLetterInput {
  /** The failed job, or what the producer could not even enqueue (`attemptsMade` 0). */
  job: Pick<Job, 'id' | 'data' | 'attemptsMade'>;
  sourceQueue: StageQueueName;
  kind: DeadLetterKind;
  error: unknown;
  receiptId?: string;
  receiptNo?: string;
  windowId?: string;
}

/**
 * Puts a failed job where an operator sees it and can replay it: the quarantine queue for data
 * problems, the dead-letter queue for everything else. Idempotent per source job id, so a worker
 * that crashes after this call and re-runs the job does not create a second dead letter.
 */
export async function deadLetter(queues: PipelineQueues, input: DeadLetterInput): Promise<DeadLetterJob> {
  const { job } = input;
  const sourceJobId = job.id ?? 'unknown';
  const prior = (job.data as JobBookkeeping | undefined)?.__replays ?? 0;
  const record: DeadLetterJob = {
    kind: input.kind,
    sourceQueue: input.sourceQueue,
    sourceJobId,
    payload: stripInternal(job.data),
    code: errorCode(input.error),
    reason: isSyncError(input.error) ? input.error.message : describeError(input.error),
    ...whyOf(input.error),
    attemptsMade: job.attemptsMade,
    failedAt: new Date().toISOString(),
    receiptId: input.receiptId,
    receiptNo: input.receiptNo,
    windowId: input.windowId,
    replays: prior,
  };
  await queues[deadLetterQueueFor(input.kind)].add(input.kind, record, { jobId: deadLetterJobId(sourceJobId) });
  return record;
}

/** Data problems go to quarantine, everything else to the dead-letter queue. */
export function deadLetterQueueFor(kind: DeadLetterKind): DeadLetterQueueName {
  return kind === 'quarantined' ? 'quarantine' : 'dead-letter';
}

/** Removes bookkeeping fields (`__*`) that the pipeline adds to job data. */
export function stripInternal(data: unknown): unknown {
  if (!data || typeof data !== 'object' || Array.isArray(data)) return data;
  return Object.fromEntries(Object.entries(data as Record<string, unknown>).filter(([k]) => !k.startsWith('__')));
}

/** As many problems as the ledger keeps with its lastError (problemWhySchema). */
const MAX_WHYS = 50;

/** The data-quality problems' keys a QuarantineError carries (details.problems[].why), when it has any. */
function whyOf(error: unknown): { why?: DeadLetterJob['why'] } {
  const problems = isSyncError(error) ? error.details.problems : undefined;
  if (!Array.isArray(problems)) return {};
  const whys = problems.map((p) => (p as { why?: unknown } | null)?.why).filter((w) => w !== undefined);
  const parsed = problemWhySchema.safeParse(whys.slice(0, MAX_WHYS));
  return parsed.success && parsed.data.length > 0 ? { why: parsed.data } : {};
}
