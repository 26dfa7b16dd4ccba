import type { Job } from 'bullmq';
import type { PipelineQueues } from './connection';
import { QUEUE_NAMES } from './catalog';
import { replayJobId } from './job-ids';
import { DeadLetterJobSchema } from './payloads';

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
  from: 'dead-letter' | 'quarantine',
  select: { ids: string[] } | { all: true },
): Promise<ReplayResult> {
  const source = queues[from === 'quarantine' ? QUEUE_NAMES.quarantine : QUEUE_NAMES.deadLetter];
  const result: ReplayResult = { replayed: [], failed: [] };
  const jobs: Job[] = [];
  if ('ids' in select) {
    for (const id of select.ids) {
      const job = await source.getJob(id);
      if (job) jobs.push(job);
      else result.failed.push({ deadLetterId: id, reason: 'no such dead letter' });
    }
  } else {
    const pageSize = 500;
    for (let start = 0; ; start += pageSize) {
      const page = await source.getJobs(
        ['wait', 'prioritized', 'delayed', 'failed', 'completed'],
        start,
        start + pageSize - 1,
        true,
      );
      jobs.push(...page.filter((j): j is Job => Boolean(j)));
      if (page.length < pageSize) break;
    }
  }
  for (const job of jobs) {
    const parsed = DeadLetterJobSchema.safeParse(job.data);
    if (!parsed.success) {
      result.failed.push({ deadLetterId: job.id ?? '?', reason: 'not a dead-letter record' });
      continue;
    }
    const dl = parsed.data;
    const replays = dl.replays + 1;
    const newJobId = replayJobId(dl.sourceJobId, replays);
    const target = queues[dl.sourceQueue === 'raw' ? QUEUE_NAMES.raw : QUEUE_NAMES.ready];
    const payload =
      dl.payload && typeof dl.payload === 'object' ? { ...(dl.payload as object), __replays: replays } : dl.payload;
    await target.add(dl.sourceQueue, payload, { jobId: newJobId });
    await job.remove();
    result.replayed.push({ deadLetterId: job.id ?? '?', newJobId, queue: dl.sourceQueue });
  }
  return result;
}
