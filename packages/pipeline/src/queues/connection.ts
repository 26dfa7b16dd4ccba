import type { Redis, RedisOptions } from 'ioredis';
import { Queue, type Telemetry } from 'bullmq';
import { createRedisClient, isHashTagged, type RedisClient } from '@receipt-sync/core';
import { PIPELINE_QUEUES, QUEUE_CATALOG, type JobData, type QueueName } from './catalog';
import type { JobBookkeeping } from './payloads';

/**
 * A single-server Redis connection suitable for BullMQ workers (tests and tools that have only a
 * URL). Services use `createRedisClient(config.redis)`, which also speaks Redis Cluster.
 */
export function createRedisConnection(url: string, extra: RedisOptions = {}): Redis {
  return createRedisClient({ url }, extra) as Redis;
}

/** One typed Queue per catalog entry: `queues.ready.add(name, row)` accepts only a ReadyRow. */
export type PipelineQueues = { [Q in QueueName]: Queue<JobData<Q> & JobBookkeeping> };

/** Every BullMQ Queue object of the catalog. */
export function allQueues(queues: PipelineQueues): Queue[] {
  return PIPELINE_QUEUES.map((name): Queue => queues[name]);
}

/**
 * BullMQ's `prefix` for queue `name`. Untagged QUEUE_PREFIX (one Redis): the prefix itself, so keys
 * are `rsync:raw:…`. Hash-tagged (Redis Cluster): one tag per queue, `{rsync}` → `{rsync:raw}`,
 * so each queue's keys share a slot (BullMQ's scripts touch only one queue's keys) while the queues
 * and the store (`{rsync}:state:…`) spread over the masters (docs/operations.md#redis-cluster).
 * QUEUE_PREFIX cannot contain ':', so no other deployment's tag can equal a derived one.
 */
export function queueKeyPrefix(prefix: string, name: string): string {
  return isHashTagged(prefix) ? prefix.replace(/^\{([^{}]+)\}/, `{$1:${name}}`) : prefix;
}

/** One Queue object per pipeline queue, all under `prefix` (QUEUE_PREFIX, see queueKeyPrefix). */
export function createQueues(
  connection: RedisClient,
  prefix: string,
  /** BullMQ's telemetry (tracing on): each job added carries its trace context. */
  telemetry?: Telemetry,
): PipelineQueues {
  const out: Partial<Record<QueueName, Queue>> = {};
  for (const name of PIPELINE_QUEUES) {
    const queue = new Queue(name, {
      connection,
      telemetry,
      prefix: queueKeyPrefix(prefix, name),
      defaultJobOptions: QUEUE_CATALOG[name].jobOptions,
    });
    queue.on('error', () => undefined); // surfaced through readiness checks; never crash on a blip
    out[name] = queue;
  }
  return out as PipelineQueues;
}

export async function closeQueues(queues: PipelineQueues): Promise<void> {
  await Promise.allSettled(allQueues(queues).map((q) => q.close()));
}

/** Jobs not yet finished in a queue (waiting, active, delayed, prioritized, waiting-children). */
export async function unfinishedCount(queue: Queue): Promise<number> {
  const c = await queue.getJobCounts('wait', 'active', 'delayed', 'prioritized', 'waiting-children');
  return Object.values(c).reduce((a, b) => a + b, 0);
}
