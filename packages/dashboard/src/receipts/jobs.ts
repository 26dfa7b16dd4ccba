import type { Job } from 'bullmq';
import {
  deadLetterJobId,
  DeadLetterJobSchema,
  QUEUE_NAMES,
  rawJobId,
  readyJobId,
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
}

/** Versions whose jobs are looked up (newest first); older jobs are long removed by retention. */
export const JOB_VERSIONS = 5;
/** Replays followed per job; an operator replaying more often than this should read Bull Board. */
const MAX_REPLAYS = 10;

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
    error: dl.success ? dl.data.reason : job.failedReason || undefined,
    ...(dl.success ? { code: dl.data.code, replays: dl.data.replays } : {}),
  };
}

/**
 * The jobs still retained for these versions: job ids are deterministic (job-ids.ts), so each is a
 * direct read. Replayed jobs (`…-replayN`) are followed as far as the dead letters' replay counts go.
 */
export async function receiptJobs(
  queues: PipelineQueues,
  receiptId: string,
  versions: ReadonlyArray<{ updateTime: string; removed: boolean }>,
): Promise<ReceiptJob[]> {
  const found = await Promise.all(
    versions.slice(0, JOB_VERSIONS).map(async ({ updateTime, removed }) => {
      const bases = [
        { queue: QUEUE_NAMES.raw, id: rawJobId(receiptId, updateTime, removed) },
        { queue: QUEUE_NAMES.ready, id: readyJobId(receiptId, updateTime, removed) },
      ];
      const out: ReceiptJob[] = [];
      for (const base of bases) {
        for (let replay = 0; replay <= MAX_REPLAYS; replay += 1) {
          const id = replay === 0 ? base.id : `${base.id}-replay${replay}`;
          const [job, dlJob, qJob] = await Promise.all([
            queues[base.queue].getJob(id),
            queues[QUEUE_NAMES.deadLetter].getJob(deadLetterJobId(id)),
            queues[QUEUE_NAMES.quarantine].getJob(deadLetterJobId(id)),
          ]);
          if (!job && !dlJob && !qJob) break;
          if (job) out.push(await describe(job, base.queue, updateTime, removed));
          if (dlJob) out.push(await describe(dlJob, QUEUE_NAMES.deadLetter, updateTime, removed));
          if (qJob) out.push(await describe(qJob, QUEUE_NAMES.quarantine, updateTime, removed));
        }
      }
      return out;
    }),
  );
  return found.flat().sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
}
