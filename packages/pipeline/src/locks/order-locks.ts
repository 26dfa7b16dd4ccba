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

  /**
   * Keyed by the OKKI order id (F_Cash_Collection_Id), which names the sales order before the
   * writer has resolved its FID: the lock covers the read before the save too.
   */
  private key(orderId: string): string {
    return `${this.prefix}:lock:order:${orderId}`;
  }

  /** Returns the subset of `orderIds` now held by this process. */
  async acquire(orderIds: string[]): Promise<string[]> {
    const held = new Set(await this.locks.acquire(orderIds.map((o) => this.key(o))));
    return orderIds.filter((o) => held.has(this.key(o)));
  }

  /** Holds `orderIds` (already acquired) while `work` runs, renewing them, then releases them. */
  hold<T>(orderIds: string[], work: () => Promise<T>): Promise<T> {
    return this.locks.hold(
      orderIds.map((o) => this.key(o)),
      work,
    );
  }
}
