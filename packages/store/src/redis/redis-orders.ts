import type { RedisClient } from '@receipt-sync/core';
import {
  putMissSchema,
  putOrderSchema,
  storedOrderSchema,
  toLookup,
  type OrderIndexRepo,
  type OrderLookup,
  type OrderRef,
} from '../model/order-index';
import { parseOrThrow } from '../model/validate';
import type { StateKeys } from './keys';
import { getManyRaw, parseJson } from './scripts';

/** One key per order id; expiry is Redis's own PX, so an expired entry is simply gone. */
export class RedisOrderIndex implements OrderIndexRepo {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: StateKeys,
  ) {}

  async get(orderId: string): Promise<OrderLookup | undefined> {
    const raw = await this.redis.get(this.keys.order(orderId));
    return raw === null ? undefined : this.decode(raw, orderId);
  }

  async getMany(orderIds: readonly string[]): Promise<Map<string, OrderLookup>> {
    const ids = [...new Set(orderIds)];
    const raws = await getManyRaw(
      this.redis,
      ids.map((id) => this.keys.order(id)),
    );
    const found = new Map<string, OrderLookup>();
    raws.forEach((raw, i) => {
      const id = ids[i];
      const lookup = raw === null || id === undefined ? undefined : this.decode(raw, id);
      if (id !== undefined && lookup !== undefined) found.set(id, lookup);
    });
    return found;
  }

  async put(orderId: string, value: OrderRef, ttlMs?: number): Promise<void> {
    const p = parseOrThrow(putOrderSchema, { orderId, value, ttlMs }, `store order ${orderId}`);
    const { fid, billNo, documentStatus, seenAt } = p.value;
    const raw = JSON.stringify({ fid, billNo, documentStatus, seenAt });
    const key = this.keys.order(p.orderId);
    // A plain SET clears any previous TTL, so a permanent hit replaces a cached miss for good.
    if (p.ttlMs === undefined) await this.redis.set(key, raw);
    else await this.redis.set(key, raw, 'PX', p.ttlMs);
    if (p.value.billNo === undefined) return;
    await this.redis.set(this.keys.orderByBillNo(p.value.billNo), p.orderId);
  }

  async findByBillNo(billNo: string): Promise<string | undefined> {
    if (billNo === '') return undefined;
    return (await this.redis.get(this.keys.orderByBillNo(billNo))) ?? undefined;
  }

  async putMiss(orderId: string, ttlMs: number): Promise<void> {
    const p = parseOrThrow(putMissSchema, { orderId, ttlMs }, `store order ${orderId}`);
    await this.redis.set(this.keys.order(p.orderId), JSON.stringify({ miss: true }), 'PX', p.ttlMs);
  }

  private decode(raw: string, orderId: string): OrderLookup | undefined {
    return toLookup(parseOrThrow(storedOrderSchema, parseJson(raw), `store order ${orderId}`));
  }
}
