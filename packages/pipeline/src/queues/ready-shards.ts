import { createHash } from 'node:crypto';
import { Queue, type Job, type Telemetry } from 'bullmq';
import type { RedisClient } from '@receipt-sync/core';
import { QUEUE_CATALOG } from './catalog';
import type { JobBookkeeping, ReadyRow } from './payloads';

export type ReadyQueue = Queue<ReadyRow & JobBookkeeping>;

/**
 * The `ready` queue split by sales order (READY_SHARDS): every row of one order goes to the same
 * shard, and each writer process works the shards it owns (ShardOwnership), so one order's rows
 * meet in one writer's batches instead of being spread over every writer. Shard 0 is the `ready`
 * queue itself, the others are `ready-1` … `ready-<n-1>`; with one shard (the default) nothing
 * changes. Everything else treats the shards as one queue: counts add up, a replayed row goes to
 * its order's shard, a row's job is looked for in its order's shard.
 */
export interface ReadyShards {
  /** Queue names, shard 0 first: `ready`, `ready-1`, …. */
  readonly names: readonly string[];
  /** One Queue per shard; `queues[0]` is the catalog's `ready` queue. */
  readonly queues: readonly ReadyQueue[];
  /** The shard holding the rows of sales order `orderId`. */
  for(orderId: string): ReadyQueue;
  /** A ready job by id, from whichever shard holds it (callers that know no order id). */
  getJob(id: string): Promise<Job<ReadyRow & JobBookkeeping> | undefined>;
}

/** Queue names of `count` ready shards. */
export function readyShardNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => (i === 0 ? 'ready' : `ready-${i}`));
}

/** The shard of an OKKI order id: stable for a given count, spread evenly (md5, not JS string hashes). */
export function readyShardOf(orderId: string, count: number): number {
  if (count <= 1) return 0;
  return createHash('md5').update(orderId).digest().readUInt32BE(0) % count;
}

/** Wraps the `ready` Queue and creates the other shards beside it, with the same job options. */
export function createReadyShards(
  ready: ReadyQueue,
  opts: { connection: RedisClient; count: number; keyPrefix: (name: string) => string; telemetry?: Telemetry },
): ReadyShards {
  const names = readyShardNames(opts.count);
  const queues = names.map((name, i): ReadyQueue => {
    if (i === 0) return ready;
    const queue: ReadyQueue = new Queue(name, {
      connection: opts.connection,
      telemetry: opts.telemetry,
      prefix: opts.keyPrefix(name),
      defaultJobOptions: QUEUE_CATALOG.ready.jobOptions,
    });
    queue.on('error', () => undefined); // surfaced through readiness checks, as for the catalog's queues
    return queue;
  });
  return {
    names,
    queues,
    for: (orderId) => queues[readyShardOf(orderId, queues.length)]!,
    async getJob(id) {
      const found = await Promise.all(queues.map((q) => q.getJob(id)));
      return found.find((job) => job !== undefined);
    },
  };
}
