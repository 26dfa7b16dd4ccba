import type { Logger, RedisClient } from '@receipt-sync/core';
import { queueKeyPrefix, unfinishedCount, type PipelineQueues } from './connection';
import { createReadyShards } from './ready-shards';

const key = (prefix: string) => `${prefix}:ready-shards`;

/** How this process and the deployment disagree on READY_SHARDS (`doctor` shows this much). */
export function readyShardsDisagreement(mine: number, inUse: number, waiting?: number): string {
  return (
    `READY_SHARDS is ${mine} in this process but ${inUse} in the deployment using this Redis` +
    (waiting === undefined ? '' : `, with ${waiting} waiting in its ready shards`)
  );
}

/** What an operator reads when processes disagree on READY_SHARDS. */
function mismatch(mine: number, inUse: number, waiting?: number): string {
  return (
    readyShardsDisagreement(mine, inUse, waiting) +
    ': rows sent to a shard no writer works would wait for ever. Give every transformer and writer the same ' +
    'READY_SHARDS; to change it, stop them all, let ready empty, then start them with the new value.'
  );
}

/**
 * Every transformer and writer of a deployment must split `ready` the same way. The count in use is
 * kept in Redis; a process with another count refuses to start while rows wait in the shards of the
 * count in use, and records its own when every shard is empty (a change made with the queues drained).
 */
export async function claimReadyShards(
  redis: RedisClient,
  prefix: string,
  queues: PipelineQueues,
  logger: Logger,
): Promise<void> {
  const mine = queues.readyShards.queues.length;
  const inUse = (await readyShardsInUse(redis, prefix)) ?? mine;
  if (inUse !== mine) {
    const waiting = await waitingRows(redis, prefix, queues, Math.max(inUse, mine));
    if (waiting > 0) throw new Error(mismatch(mine, inUse, waiting));
    logger.warn({ from: inUse, to: mine }, 'READY_SHARDS changed while ready was empty');
  }
  await redis.set(key(prefix), String(mine));
}

/** READY_SHARDS recorded by the deployment using this Redis and prefix (undefined: no transformer or writer started yet). */
export async function readyShardsInUse(redis: RedisClient, prefix: string): Promise<number | undefined> {
  const stored = await redis.get(key(prefix));
  return stored === null ? undefined : Number(stored);
}

/**
 * A readiness check: fails, in the words above, while the count recorded in Redis differs from this
 * process's (another process claimed another count), and records it again when Redis lost it.
 */
export function readyShardsCheck(redis: RedisClient, prefix: string, mine: number): () => Promise<void> {
  return async () => {
    const inUse = await readyShardsInUse(redis, prefix);
    if (inUse === undefined) await redis.set(key(prefix), String(mine));
    else if (inUse !== mine) throw new Error(mismatch(mine, inUse));
  };
}

/** Unfinished rows in the first `count` ready shards (the count in use may be more than this process's). */
async function waitingRows(redis: RedisClient, prefix: string, queues: PipelineQueues, count: number) {
  const shards = createReadyShards(queues.ready, {
    connection: redis,
    count,
    keyPrefix: (name) => queueKeyPrefix(prefix, name),
  });
  try {
    const counts = await Promise.all(shards.queues.map((q) => unfinishedCount(q)));
    return counts.reduce((a, b) => a + b, 0);
  } finally {
    await Promise.all(shards.queues.slice(1).map((q) => q.close()));
  }
}
