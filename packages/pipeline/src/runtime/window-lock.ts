import { randomUUID } from 'node:crypto';
import type { RedisClient } from '@receipt-sync/core';

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

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
  const token = randomUUID();
  if ((await redis.set(key, token, 'PX', ttlMs, 'NX')) !== 'OK') return undefined;
  const timer = setInterval(
    () => void redis.eval(RENEW, 1, key, token, String(ttlMs)).catch(() => undefined),
    ttlMs / 3,
  );
  try {
    return await work();
  } finally {
    clearInterval(timer);
    await redis.eval(RELEASE, 1, key, token).catch(() => undefined);
  }
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
