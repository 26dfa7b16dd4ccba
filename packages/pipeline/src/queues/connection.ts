import type { Redis, RedisOptions } from 'ioredis';
import { Queue } from 'bullmq';
import { createRedisClient, type RedisClient } from '@receipt-sync/core';
import { DEFAULT_JOB_OPTIONS, QUEUE_NAMES, type QueueName } from './catalog';

/**
 * A single-server Redis connection suitable for BullMQ workers (tests and tools that have only a
 * URL). Services use `createRedisClient(config.redis)`, which also speaks Redis Cluster.
 */
export function createRedisConnection(url: string, extra: RedisOptions = {}): Redis {
  return createRedisClient({ url }, extra) as Redis;
}

export type PipelineQueues = Record<QueueName, Queue>;

/** One Queue object per pipeline queue, all under `prefix` (QUEUE_PREFIX). */
export function createQueues(connection: RedisClient, prefix: string): PipelineQueues {
  const out = {} as PipelineQueues;
  for (const name of Object.values(QUEUE_NAMES)) {
    const queue = new Queue(name, { connection, prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS[name] });
    queue.on('error', () => undefined); // surfaced through readiness checks; never crash on a blip
    out[name] = queue;
  }
  return out;
}

export async function closeQueues(queues: PipelineQueues): Promise<void> {
  await Promise.allSettled(Object.values(queues).map((q) => q.close()));
}

/** Jobs not yet finished in a queue (waiting, active, delayed, prioritized, waiting-children). */
export async function unfinishedCount(queue: Queue): Promise<number> {
  const c = await queue.getJobCounts('wait', 'active', 'delayed', 'prioritized', 'waiting-children');
  return Object.values(c).reduce((a, b) => a + b, 0);
}
