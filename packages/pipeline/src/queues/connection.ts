import IORedis, { type RedisOptions } from 'ioredis';
import { Queue } from 'bullmq';
import { PIPELINE_QUEUES, QUEUE_CATALOG, type JobData, type QueueName } from './catalog';
import type { JobBookkeeping } from './payloads';

/**
 * A Redis connection suitable for BullMQ workers: `maxRetriesPerRequest: null` is required for
 * blocking commands (bullmq connections docs); reconnect on READONLY/LOADING after a failover, as
 * trigger.dev does (bullmq #648/#2466 report hangs otherwise).
 */
export function createRedisConnection(url: string, extra: RedisOptions = {}): IORedis {
  return new IORedis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(200 * times, 5_000),
    reconnectOnError: (err) => (/READONLY|LOADING|UNBLOCKED/.test(err.message) ? 2 : false),
    ...extra,
  });
}

/** One typed Queue per catalog entry: `queues.ready.add(name, row)` accepts only a ReadyRow. */
export type PipelineQueues = { [Q in QueueName]: Queue<JobData<Q> & JobBookkeeping> };

/** One Queue object per pipeline queue, all under `prefix` (QUEUE_PREFIX). */
export function createQueues(connection: IORedis, prefix: string): PipelineQueues {
  const out: Partial<Record<QueueName, Queue>> = {};
  for (const name of PIPELINE_QUEUES) {
    const queue = new Queue(name, { connection, prefix, defaultJobOptions: QUEUE_CATALOG[name].jobOptions });
    queue.on('error', () => undefined); // surfaced through readiness checks; never crash on a blip
    out[name] = queue;
  }
  return out as PipelineQueues;
}

export async function closeQueues(queues: PipelineQueues): Promise<void> {
  await Promise.allSettled(Object.values(queues).map((q) => q.close()));
}

/** Jobs not yet finished in a queue (waiting, active, delayed, prioritized, waiting-children). */
export async function unfinishedCount(queue: Queue): Promise<number> {
  const c = await queue.getJobCounts('wait', 'active', 'delayed', 'prioritized', 'waiting-children');
  return Object.values(c).reduce((a, b) => a + b, 0);
}
