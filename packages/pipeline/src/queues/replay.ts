import type { Job, Queue } from 'bullmq';
import type { PipelineQueues } from './connection';
import type { DeadLetterQueueName } from './catalog';
import { replayJobId } from './job-ids';
import { DeadLetterJobSchema } from './payloads';

/**
 * Dead letters are never processed, so they sit in `wait`; the other states cover jobs an operator
 * moved with Bull Board.
 */
export const DEAD_LETTER_STATES = ['wait', 'prioritized', 'delayed', 'failed', 'completed'] as const;

/** A page of a dead-letter queue, newest first (`start`/`end` inclusive, as in BullMQ), and its total. */
export async function pageDeadLetters(
  queues: PipelineQueues,
  from: DeadLetterQueueName,
  start: number,
  end: number,
): Promise<{ total: number; jobs: Job[] }> {
  const q: Queue = queues[from];
  const [jobs, counts] = await Promise.all([
    q.getJobs([...DEAD_LETTER_STATES], start, end, false),
    q.getJobCounts(...DEAD_LETTER_STATES),
  ]);
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return {
    total,
    jobs: (jobs as Array<Job | undefined>).filter((j): j is Job => Boolean(j)).slice(0, end - start + 1),
  };
}

/** The replay's refusals, in English (logs, JSON `reason`); readers see them through the `terminal.dlq` keys. */
export const REPLAY_REFUSALS = {
  noSuch: 'no such dead letter',
  notRecord: 'not a dead-letter record',
} as const;

export interface ReplayResult {
  replayed: Array<{ deadLetterId: string; newJobId: string; queue: string }>;
  failed: Array<{ deadLetterId: string; reason: string }>;
}

/**
 * Puts dead letters back into the queue they came from as NEW jobs, so every attempt is available
 * again. Bull Board's own retry calls job.retry() without resetAttemptsMade (bull-board #737) and
 * would re-run the job inside the dead-letter queue; this is the replay operators should use.
 */
export async function replayDeadLetters(
  queues: PipelineQueues,
  from: DeadLetterQueueName,
  select: { ids: string[] } | { all: true },
): Promise<ReplayResult> {
  const source = queues[from];
  const result: ReplayResult = { replayed: [], failed: [] };
  const jobs: Job[] = [];
  if ('ids' in select) {
    for (const id of select.ids) {
      const job = await source.getJob(id);
      if (job) jobs.push(job);
      else result.failed.push({ deadLetterId: id, reason: REPLAY_REFUSALS.noSuch });
    }
  } else {
    const pageSize = 500;
    for (let start = 0; ; start += pageSize) {
      const page = await source.getJobs([...DEAD_LETTER_STATES], start, start + pageSize - 1, true);
      jobs.push(...page.filter((j): j is Job => Boolean(j)));
      if (page.length < pageSize) break;
    }
  }
  for (const job of jobs) {
    const parsed = DeadLetterJobSchema.safeParse(job.data);
    if (!parsed.success) {
      result.failed.push({ deadLetterId: job.id ?? '?', reason: REPLAY_REFUSALS.notRecord });
      continue;
    }
    const dl = parsed.data;
    const replays = dl.replays + 1;
    const newJobId = replayJobId(dl.sourceJobId, replays);
    // Re-added as it was, valid or not: the stage's worker validates it and dead-letters it again if bad.
    const payload =
      dl.payload && typeof dl.payload === 'object' ? { ...(dl.payload as object), __replays: replays } : dl.payload;
    const target: Queue = queues[dl.sourceQueue];
    await target.add(dl.sourceQueue, payload, { jobId: newJobId });
    await job.remove();
    result.replayed.push({ deadLetterId: job.id ?? '?', newJobId, queue: dl.sourceQueue });
  }
  return result;
}
