import type { Collection, Document } from 'mongodb';
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
import { isDuplicateKey, ONE_BATCH, sweepExpired } from './collections';

/**
 * Documents `{ orderId, fid?, billNo?, miss, expireAt? }`: `orderId` is the sales order's
 * F_Cash_Collection_Id, the key the seed's `_mongoQuery` looked orders up by. Expired documents go
 * about once a minute (the TTL index where the server has one, and a sweep after writes on every
 * server), so reads also filter on `expireAt`: an entry is gone the moment its TTL passes, exactly
 * as with Redis PX.
 */
export class MongoOrderIndex implements OrderIndexRepo {
  private readonly sweep: () => Promise<void>;

  constructor(
    private readonly collection: Collection<Document>,
    /** `{ billNo, orderId }`, unique by billNo, never expiring (unlike cached lookups). */
    private readonly bills: Collection<Document>,
  ) {
    this.sweep = sweepExpired(collection, 'expireAt', () => new Date());
  }

  async get(orderId: string): Promise<OrderLookup | undefined> {
    const doc = await this.collection.findOne({ orderId, ...unexpired() });
    return doc ? this.decode(doc) : undefined;
  }

  async getMany(orderIds: readonly string[]): Promise<Map<string, OrderLookup>> {
    const ids = [...new Set(orderIds)];
    const found = new Map<string, OrderLookup>();
    if (ids.length === 0) return found;
    const docs = await this.collection
      .find({ orderId: { $in: ids }, ...unexpired() })
      .batchSize(ONE_BATCH)
      .toArray();
    for (const doc of docs) {
      const lookup = this.decode(doc);
      if (lookup !== undefined) found.set(String(doc.orderId), lookup);
    }
    return found;
  }

  async put(orderId: string, value: OrderRef, ttlMs?: number): Promise<void> {
    const p = parseOrThrow(putOrderSchema, { orderId, value, ttlMs }, `store order ${orderId}`);
    await this.replace(p.orderId, {
      orderId: p.orderId,
      fid: p.value.fid,
      miss: false,
      ...(p.value.billNo !== undefined ? { billNo: p.value.billNo } : {}),
      ...(p.value.documentStatus !== undefined ? { documentStatus: p.value.documentStatus } : {}),
      ...(p.value.seenAt !== undefined ? { seenAt: p.value.seenAt } : {}),
      ...(p.ttlMs !== undefined ? { expireAt: new Date(Date.now() + p.ttlMs) } : {}),
    });
    if (p.value.billNo !== undefined)
      await upsertIgnoringRace(() =>
        this.bills.updateOne({ billNo: p.value.billNo }, { $set: { orderId: p.orderId } }, { upsert: true }),
      );
  }

  async putMiss(orderId: string, ttlMs: number): Promise<void> {
    const p = parseOrThrow(putMissSchema, { orderId, ttlMs }, `store order ${orderId}`);
    await this.replace(p.orderId, { orderId: p.orderId, miss: true, expireAt: new Date(Date.now() + p.ttlMs) });
  }

  async findByBillNo(billNo: string): Promise<string | undefined> {
    if (billNo === '') return undefined;
    const doc = await this.bills.findOne({ billNo });
    return doc ? String(doc.orderId) : undefined;
  }

  /** Whole-document replace, so a hit drops a miss's expiry and vice versa (Redis SET does the same). */
  private async replace(orderId: string, doc: Document): Promise<void> {
    await upsertIgnoringRace(() => this.collection.replaceOne({ orderId }, doc, { upsert: true }));
    await this.sweep();
  }

  private decode(doc: Document): OrderLookup | undefined {
    return toLookup(parseOrThrow(storedOrderSchema, doc, `store order ${String(doc.orderId)}`));
  }
}

function unexpired(): Document {
  // `expireAt: null` also matches documents without the field (permanent hits).
  return { $or: [{ expireAt: null }, { expireAt: { $gt: new Date() } }] };
}

/** Two first upserts raced on the unique index; the document exists now, so write it once more. */
async function upsertIgnoringRace(write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    await write();
  }
}
