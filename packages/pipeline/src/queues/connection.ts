import type { Redis, RedisOptions } from 'ioredis';
import { Queue, type JobType, type Telemetry } from 'bullmq';
import { createRedisClient, isHashTagged, type RedisClient } from '@receipt-sync/core';
import { PIPELINE_QUEUES, QUEUE_CATALOG, type JobData, type QueueName } from './catalog';
import type { JobBookkeeping } from './payloads';
import { createReadyShards, type ReadyShards } from './ready-shards';

/**
 * A single-server Redis connection suitable for BullMQ workers (tests and tools that have only a
 * URL). Services use `createRedisClient(config.redis)`, which also speaks Redis Cluster.
 */
export function createRedisConnection(url: string, extra: RedisOptions = {}): Redis {
  return createRedisClient({ url }, extra) as Redis;
}

/**
 * One typed Queue per catalog entry: `queues.ready.add(name, row)` accepts only a ReadyRow; plus
 * the ready shards (READY_SHARDS): a row is added with `queues.readyShards.for(orderId).add(…)`.
 */
export type PipelineQueues = { [Q in QueueName]: Queue<JobData<Q> & JobBookkeeping> } & {
  readyShards: ReadyShards;
};

/** Job counts of a catalog queue by state; `ready` counts every ready shard. */
export async function queueJobCounts(
  queues: PipelineQueues,
  name: QueueName,
  ...states: JobType[]
): Promise<Record<string, number>> {
  const shards: readonly Queue[] = name === 'ready' ? queues.readyShards.queues : [queues[name]];
  const counts = await Promise.all(shards.map((q) => q.getJobCounts(...states)));
  const sum: Record<string, number> = {};
  for (const c of counts) for (const [state, n] of Object.entries(c)) sum[state] = (sum[state] ?? 0) + n;
  return sum;
}

/** Every BullMQ Queue object: the catalog's and the extra ready shards. */
export function allQueues(queues: PipelineQueues): Queue[] {
  return [...PIPELINE_QUEUES.map((name): Queue => queues[name]), ...queues.readyShards.queues.slice(1)];
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

/**
 * One Queue object per pipeline queue, all under `prefix` (QUEUE_PREFIX, see queueKeyPrefix), and
 * `readyShards` ready shards (READY_SHARDS; every process of a deployment must use the same count).
 */
export function createQueues(
  connection: RedisClient,
  prefix: string,
  readyShards = 1,
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
  const catalog = out as Omit<PipelineQueues, 'readyShards'>;
  const shards = createReadyShards(catalog.ready, {
    connection,
    count: readyShards,
    telemetry,
    keyPrefix: (name) => queueKeyPrefix(prefix, name),
  });
  return { ...catalog, readyShards: shards };
}

export async function closeQueues(queues: PipelineQueues): Promise<void> {
  await Promise.allSettled(allQueues(queues).map((q) => q.close()));
}

/** Jobs not yet finished in a queue (waiting, active, delayed, prioritized, waiting-children). */
export async function unfinishedCount(queue: Queue): Promise<number> {
  const c = await queue.getJobCounts('wait', 'active', 'delayed', 'prioritized', 'waiting-children');
  return Object.values(c).reduce((a, b) => a + b, 0);
}
