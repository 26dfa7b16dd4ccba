import type { RedisClient } from '@receipt-sync/core';
import { RedisLocks } from './redis-locks';

/**
 * One sync window at a time across every producer replica and `sync:once` run. The checkpoint's
 * compare-and-set is the last guard; this lock keeps two processes from paging OKKI for nothing.
 * Returns undefined when another process holds it.
 */
export async function withWindowLock<T>(
  redis: RedisClient,
  prefix: string,
  work: () => Promise<T>,
  ttlMs = 15_000,
): Promise<T | undefined> {
  const key = `${prefix}:lock:sync-window`;
  const locks = new RedisLocks(redis, ttlMs);
  if ((await locks.acquire([key])).length === 0) return undefined;
  return locks.hold([key], work);
}

/** Waits (polling) until the lock is free and runs `work` under it. */
export async function waitForWindowLock<T>(
  redis: RedisClient,
  prefix: string,
  work: () => Promise<T>,
  pollMs = 250,
): Promise<T> {
  for (;;) {
    const result = await withWindowLock(redis, prefix, async () => ({ value: await work() }));
    if (result) return result.value;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
