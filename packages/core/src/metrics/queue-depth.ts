import type { SyncMetrics } from './metrics';

/** The BullMQ job states exported as `queue_depth{state}`. */
export const QUEUE_STATES = [
  'wait',
  'active',
  'delayed',
  'failed',
  'completed',
  'prioritized',
  'waiting-children',
] as const;
export type QueueState = (typeof QUEUE_STATES)[number];

/** What collectQueueDepths needs from a queue; a BullMQ `Queue` fits structurally. */
export interface QueueLike {
  name: string;
  getJobCounts(...types: string[]): Promise<Record<string, number>>;
}

/**
 * Reads job counts of every queue into `queueDepth`. Queues are read in parallel; a queue whose
 * counts cannot be read keeps no stale numbers (its series are removed) and the first such
 * error is rethrown after the others were updated, so the caller can log it.
 */
export async function collectQueueDepths(
  metrics: Pick<SyncMetrics, 'queueDepth'>,
  queues: readonly QueueLike[],
): Promise<void> {
  const results = await Promise.allSettled(queues.map((q) => q.getJobCounts(...QUEUE_STATES)));
  let firstError: unknown;
  results.forEach((result, i) => {
    const queue = queues[i]!.name;
    for (const state of QUEUE_STATES) {
      if (result.status === 'fulfilled') {
        const n = result.value[state];
        metrics.queueDepth.set({ queue, state }, typeof n === 'number' && Number.isFinite(n) ? n : 0);
      } else {
        metrics.queueDepth.remove({ queue, state });
      }
    }
    if (result.status === 'rejected' && firstError === undefined) firstError = result.reason;
  });
  if (firstError !== undefined) throw firstError;
}
