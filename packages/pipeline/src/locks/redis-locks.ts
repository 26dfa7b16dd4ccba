import { randomUUID } from 'node:crypto';
import type { RedisClient } from '@receipt-sync/core';

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

/**
 * Cross-process locks on Redis keys: SET NX PX to take one, compare-token scripts to renew and
 * release it, so a process only ever extends or frees its own. Locks expire after `ttlMs`, so a
 * SIGKILLed holder blocks others for at most that long; holders renew while they work.
 */
export class RedisLocks {
  private readonly token = randomUUID();

  constructor(
    private readonly redis: RedisClient,
    private readonly ttlMs: number,
  ) {}

  /** Returns the subset of `keys` now held by this instance. */
  async acquire(keys: string[]): Promise<string[]> {
    if (keys.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const key of keys) pipeline.set(key, this.token, 'PX', this.ttlMs, 'NX');
    const replies = (await pipeline.exec()) ?? [];
    return keys.filter((_, i) => replies[i]?.[1] === 'OK');
  }

  async renew(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const key of keys) pipeline.eval(RENEW, 1, key, this.token, String(this.ttlMs));
    await pipeline.exec();
  }

  async release(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const key of keys) pipeline.eval(RELEASE, 1, key, this.token);
    await pipeline.exec();
  }

  /** Holds `keys` (already acquired) while `work` runs, renewing at a third of the TTL, then releases them. */
  async hold<T>(keys: string[], work: () => Promise<T>): Promise<T> {
    const timer = setInterval(
      () => void this.renew(keys).catch(() => undefined),
      Math.max(1000, Math.floor(this.ttlMs / 3)),
    );
    try {
      return await work();
    } finally {
      clearInterval(timer);
      await this.release(keys).catch(() => undefined);
    }
  }
}
