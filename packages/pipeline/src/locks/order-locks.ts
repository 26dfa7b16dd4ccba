import type { RedisClient } from '@receipt-sync/core';
import { RedisLocks } from './redis-locks';

/**
 * One save per sales order at a time across every writer replica: K3Cloud answers a second
 * concurrent save of the same bill with a network-control conflict (docs/apis/k3cloud.md §5.3).
 */
export class OrderLocks {
  private readonly locks: RedisLocks;

  constructor(
    redis: RedisClient,
    private readonly prefix: string,
    ttlMs = 30_000,
  ) {
    this.locks = new RedisLocks(redis, ttlMs);
  }

  private key(fid: number): string {
    return `${this.prefix}:lock:sales-order:${fid}`;
  }

  /** Returns the subset of `fids` now held by this process. */
  async acquire(fids: number[]): Promise<number[]> {
    const held = new Set(await this.locks.acquire(fids.map((f) => this.key(f))));
    return fids.filter((f) => held.has(this.key(f)));
  }

  /** Holds `fids` (already acquired) while `work` runs, renewing them, then releases them. */
  hold<T>(fids: number[], work: () => Promise<T>): Promise<T> {
    return this.locks.hold(
      fids.map((f) => this.key(f)),
      work,
    );
  }
}
