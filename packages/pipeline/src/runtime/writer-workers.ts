import type { Queue, Worker } from 'bullmq';
import { ShardOwnership } from '../writer';
import type { Runtime } from './runtime';
import { closeWorkers, startWorker, type TypedProcessor } from './stage-worker';

/**
 * Ready jobs one BullMQ worker of the writer holds at most. A worker moves jobs to active one by one
 * until its concurrency is full before it runs any of them, so one worker holding all
 * WRITER_CONCURRENCY (400 by default) rows handed the batcher nothing for the first 0.7–1.5 s of a
 * busy start; several small workers hand each row over as it arrives (sync:once of 1,000 receipts:
 * full batches from the second page on instead of after 1.5 s). At most MAX_WRITER_WORKERS of them
 * (each holds a blocking Redis connection).
 */
const JOBS_PER_WRITER_WORKER = 50;
const MAX_WRITER_WORKERS = 8;

/** WRITER_CONCURRENCY split evenly over the writer's workers: 400 → eight of 50; 130 → 44, 44, 42. */
export function splitConcurrency(total: number): number[] {
  const count = Math.min(MAX_WRITER_WORKERS, Math.max(1, Math.ceil(total / JOBS_PER_WRITER_WORKER)));
  const each = Math.ceil(total / count);
  return Array.from({ length: count }, (_, i) => Math.min(each, total - i * each)).filter((n) => n > 0);
}

/** The writer's BullMQ workers on `ready`: on every shard (READY_SHARDS = 1), or on the shards it owns. */
export interface WriterWorkers {
  /** The workers running now (they change as writers join and leave). */
  readonly workers: Worker[];
  /** Rows still coming to this writer: its shards' waiting rows, and its share of the receipts in raw. */
  backlog(): Promise<number>;
  close(): Promise<void>;
}

export async function startWriterWorkers(rt: Runtime, processor: TypedProcessor<'ready'>): Promise<WriterWorkers> {
  const shards = rt.queues.readyShards;
  const total = rt.config.workers.writerConcurrency;
  const start = (k: number, concurrency: number) =>
    splitConcurrency(concurrency).map((c) => startWorker(rt, 'ready', processor, c, shards.names[k]));
  if (shards.queues.length === 1) {
    const workers = start(0, total);
    return {
      workers,
      backlog: () => waitingIn([rt.queues.raw, ...shards.queues]),
      close: () => closeWorkers(rt, workers),
    };
  }
  return startShardWorkers(rt, start);
}

/**
 * The writer holds WRITER_CONCURRENCY jobs whatever its share: spread over the shards it owns
 * (alone with 12 shards: 34 each; one of four: 134 each, in workers of at most 50). When the share
 * changes (a writer joins or leaves), new workers start on the new share at once and the old ones
 * stop fetching and finish the jobs they hold (their rows are in the batcher) in the background.
 */
async function startShardWorkers(
  rt: Runtime,
  start: (shard: number, concurrency: number) => Worker[],
): Promise<WriterWorkers> {
  const shards = rt.queues.readyShards;
  let current: Worker[] = [];
  const closing = new Set<Promise<void>>();
  const ownership = new ShardOwnership({
    redis: rt.connection,
    prefix: rt.config.queuePrefix,
    shards: shards.queues.length,
    logger: rt.logger,
    onChange: async (owned) => {
      const old = current;
      const each = Math.max(1, Math.ceil(rt.config.workers.writerConcurrency / owned.length));
      current = owned.flatMap((k) => start(k, each));
      const done = closeWorkers(rt, old).then(() => void closing.delete(done));
      closing.add(done);
    },
  });
  await ownership.start();
  return {
    get workers() {
      return current;
    },
    backlog: async () => {
      const owned = ownership.owned();
      const raw = await rt.queues.raw.getWaitingCount();
      const mine = await waitingIn(owned.map((k) => shards.queues[k]!));
      return mine + Math.ceil((raw * owned.length) / shards.queues.length);
    },
    close: async () => {
      await ownership.stop();
      const workers = current;
      current = [];
      await Promise.all([closeWorkers(rt, workers), ...closing]);
    },
  };
}

async function waitingIn(queues: readonly Queue[]): Promise<number> {
  const counts = await Promise.all(queues.map((q) => q.getWaitingCount()));
  return counts.reduce((a, b) => a + b, 0);
}
