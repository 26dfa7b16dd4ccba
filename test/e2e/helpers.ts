import IORedis from 'ioredis';
import { MongoClient } from 'mongodb';
import { deleteKeys, scanKeys } from '@receipt-sync/core';
import type { DemoEnvironment } from '@receipt-sync/simulators';

export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Removes every key of a test's QUEUE_PREFIX (queues, state, locks), and its MongoDB collections when MONGO_URL is set. */
export async function cleanPrefix(prefix: string): Promise<void> {
  const redis = new IORedis(redisUrl);
  await deleteKeys(redis, await scanKeys(redis, `${prefix}*`));
  await redis.quit();
  if (process.env.MONGO_URL) await dropMongoPrefix(process.env.MONGO_URL, prefix);
}

async function dropMongoPrefix(url: string, prefix: string): Promise<void> {
  const client = new MongoClient(url);
  try {
    // The database the store uses: the URL's, else MONGO_DB's default.
    const db = client.db(new URL(url).pathname.slice(1) || 'receipt_sync');
    for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray())
      if (name.startsWith(`${prefix}_`)) await db.dropCollection(name);
  } finally {
    await client.close();
  }
}

export function envFor(demo: DemoEnvironment, prefix: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...demo.env,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'silent',
    SYNC_LOOKBACK_SECONDS: '120',
    SYNC_SAFETY_LAG_SECONDS: '0',
    KINGDEE_BATCH_SIZE: '20',
    XIAOMAN_MAX_RPS: '200',
    ORDER_WAIT_DELAYS: '1,1',
    WORKER_LOCK_MS: '5000',
    RETRY_BASE_DELAY_MS: '200',
    RETRY_MAX_DELAY_MS: '2000',
    // A save without an answer may land this long after (production default 300 s); tests wait less.
    KINGDEE_LATE_WRITE_SECONDS: '3',
    ...extra,
  };
}

/** Polls a condition until it holds, failing with `what` after `timeoutMs`. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
