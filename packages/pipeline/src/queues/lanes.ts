import type { Job, JobsOptions, Queue } from 'bullmq';
import type { Lane } from '@receipt-sync/core';

/**
 * Lanes are BullMQ job priorities on the same queues: a live job carries none (priority 0, the
 * `wait` list), a bulk job this one (the `prioritized` set). A worker takes every waiting job
 * before any prioritized one, so live work goes first in `raw` and `ready` with no other change to
 * the stages; job ids stay one per receipt version across both lanes (docs/architecture.md#lanes).
 */
export const BULK_PRIORITY = 1;

/** The lane a job is in: its priority, which is what BullMQ orders by. */
export function laneOf(job: Pick<Job, 'priority'>): Lane {
  return (job.priority ?? 0) > 0 ? 'bulk' : 'live';
}

/** The job options that put a job in `lane`. */
export function laneOptions(lane: Lane): Pick<JobsOptions, 'priority'> {
  return lane === 'bulk' ? { priority: BULK_PRIORITY } : {};
}

/**
 * A version already queued as bulk that live work adds again (a pushed receipt a backfill also
 * listed) is the same job: it moves to the live lane instead of waiting behind the bulk.
 */
export async function promoteToLive(job: Job | undefined): Promise<void> {
  if (!job || laneOf(job) === 'live') return;
  await job.changePriority({ priority: 0 }).catch(() => undefined); // gone meanwhile: nothing to move
}

export interface LaneBacklog {
  /** Jobs waiting in the lane (not yet taken by a worker). */
  waiting: number;
  /** Seconds since the oldest of them was added; 0 when none waits. */
  oldestSeconds: number;
}

/**
 * Each lane's backlog of a stage queue: live = the `wait` list, bulk = the `prioritized` set, and
 * how long the oldest job of each has waited (the list's tail; the set's lowest score).
 */
export async function laneBacklogs(queue: Queue, now = Date.now()): Promise<Record<Lane, LaneBacklog>> {
  const [counts, [oldestLive], [oldestBulk]] = await Promise.all([
    queue.getJobCounts('wait', 'prioritized'),
    queue.getJobs(['wait'], 0, 0, true),
    queue.getJobs(['prioritized'], 0, 0, true),
  ]);
  const age = (job: Job | undefined) => (job?.timestamp ? Math.max(0, (now - job.timestamp) / 1000) : 0);
  return {
    live: { waiting: counts.wait ?? 0, oldestSeconds: age(oldestLive) },
    bulk: { waiting: counts.prioritized ?? 0, oldestSeconds: age(oldestBulk) },
  };
}
