import type { Worker } from 'bullmq';
import type { Runtime } from './runtime';
import { startWorker, type TypedProcessor } from './stage-worker';

/**
 * Ready jobs one BullMQ worker of the writer holds at most. A worker moves jobs to active one by one
 * until its concurrency is full before it runs any of them, so one worker holding all
 * WRITER_CONCURRENCY (400 by default) rows hands the batcher nothing for the first second of a busy
 * start; several small workers hand each row over as it arrives. At most MAX_WRITER_WORKERS of them
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

/** The active writer's BullMQ workers on `ready`, WRITER_CONCURRENCY jobs in all. */
export function startWriterWorkers(rt: Runtime, processor: TypedProcessor<'ready'>): Worker[] {
  return splitConcurrency(rt.config.workers.writerConcurrency).map((c) => startWorker(rt, 'ready', processor, c));
}
