import { randomUUID } from 'node:crypto';
import type { RedisClient } from '@receipt-sync/core';

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

/**
 * One save per sales order at a time across every writer replica: K3Cloud answers a second
 * concurrent save of the same bill with a network-control conflict (k3cloud spec §5.3). Locks expire
 * so a SIGKILLed writer blocks an order for at most `ttlMs`; holders renew while they work.
 */
export class OrderLocks {
  private readonly token = randomUUID();

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly ttlMs = 30_000,
  ) {}

  private key(fid: number): string {
    return `${this.prefix}:lock:sales-order:${fid}`;
  }

  /** Returns the subset of `fids` now held by this process. */
  async acquire(fids: number[]): Promise<number[]> {
    if (fids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const fid of fids) pipeline.set(this.key(fid), this.token, 'PX', this.ttlMs, 'NX');
    const replies = (await pipeline.exec()) ?? [];
    return fids.filter((_, i) => replies[i]?.[1] === 'OK');
  }

  async renew(fids: number[]): Promise<void> {
    if (fids.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const fid of fids) pipeline.eval(RENEW, 1, this.key(fid), this.token, String(this.ttlMs));
    await pipeline.exec();
  }

  async release(fids: number[]): Promise<void> {
    if (fids.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const fid of fids) pipeline.eval(RELEASE, 1, this.key(fid), this.token);
    await pipeline.exec();
  }

  /** Holds `fids` while `work` runs, renewing at a third of the TTL. */
  async hold<T>(fids: number[], work: () => Promise<T>): Promise<T> {
    const timer = setInterval(
      () => void this.renew(fids).catch(() => undefined),
      Math.max(1000, Math.floor(this.ttlMs / 3)),
    );
    try {
      return await work();
    } finally {
      clearInterval(timer);
      await this.release(fids).catch(() => undefined);
    }
  }
}
