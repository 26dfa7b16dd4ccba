import type { Job } from 'bullmq';
import { redactText } from '@receipt-sync/core';
import {
  deadLetterJobId,
  DeadLetterJobSchema,
  rawJobId,
  readyJobId,
  traceIdFromMetadata,
  type PipelineQueues,
} from '@receipt-sync/pipeline';

/** One BullMQ job the receipt went through, as the receipt page shows it. */
export interface ReceiptJob {
  queue: string;
  id: string;
  state: string;
  attemptsMade: number;
  /** Version (update_time) and removed flag of the receipt this job carried. */
  version: string;
  removed: boolean;
  createdAt: string;
  processedAt?: string;
  finishedAt?: string;
  error?: string;
  /** Dead letters: the error code and how often it was replayed. */
  code?: string;
  replays?: number;
  /** The OpenTelemetry trace the job belongs to (when the process that added it traced). */
  traceId?: string;
}

/** Versions whose jobs are looked up (newest first); older jobs are long removed by retention. */
export const JOB_VERSIONS = 5;
/** Replays looked up per job; an operator replaying more often than this finds the rest in Bull Board. */
const MAX_REPLAYS = 5;

const iso = (ms: number | undefined) => (ms ? new Date(ms).toISOString() : undefined);

async function describe(job: Job, queue: string, version: string, removed: boolean): Promise<ReceiptJob> {
  const dl = DeadLetterJobSchema.safeParse(job.data);
  return {
    queue,
    id: job.id ?? '?',
    state: await job.getState(),
    attemptsMade: dl.success ? dl.data.attemptsMade : job.attemptsMade,
    version,
    removed,
    createdAt: new Date(job.timestamp).toISOString(),
    processedAt: iso(job.processedOn),
    finishedAt: iso(job.finishedOn),
    error: redactText((dl.success ? dl.data.reason : job.failedReason) ?? '') || undefined,
    ...(dl.success ? { code: dl.data.code, replays: dl.data.replays } : {}),
    traceId: traceIdFromMetadata(job.opts.telemetry?.metadata),
  };
}

/**
 * The jobs still retained for these versions: job ids are deterministic (job-ids.ts), so each is a
 * direct read, all asked at once. Replays (`…-replayN`) are probed up to MAX_REPLAYS: the original
 * job and earlier dead letters may be gone (retention, replay) while a later replay is still there.
 */
export async function receiptJobs(
  queues: PipelineQueues,
  receiptId: string,
  versions: ReadonlyArray<{ updateTime: string; removed: boolean }>,
): Promise<ReceiptJob[]> {
  const probes = versions.slice(0, JOB_VERSIONS).flatMap(({ updateTime, removed }) =>
    [
      { queue: 'raw' as const, id: rawJobId(receiptId, updateTime, removed) },
      { queue: 'ready' as const, id: readyJobId(receiptId, updateTime, removed) },
    ].flatMap((base) =>
      Array.from({ length: MAX_REPLAYS + 1 }, (_, n) => (n === 0 ? base.id : `${base.id}-replay${n}`)).flatMap((id) => [
        { queue: base.queue, id, updateTime, removed },
        { queue: 'dead-letter' as const, id: deadLetterJobId(id), updateTime, removed },
        { queue: 'quarantine' as const, id: deadLetterJobId(id), updateTime, removed },
      ]),
    ),
  );
  const jobs = await Promise.all(
    probes.map(async (p) => {
      const job = await queues[p.queue].getJob(p.id);
      return job ? describe(job, p.queue, p.updateTime, p.removed) : undefined;
    }),
  );
  return jobs
    .filter((j): j is ReceiptJob => j !== undefined)
    .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
}
