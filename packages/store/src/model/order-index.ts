import { z } from 'zod';
import { idSchema } from './validate';

/** The K3Cloud sales order whose header `F_Cash_Collection_Id` equals an OKKI `order_id`. */
export interface OrderRef {
  fid: number;
  billNo?: string;
  /** FDocumentStatus (Z, A, B, C, D: docs/apis/k3cloud.md §7) when the writer last read the order. */
  documentStatus?: string;
  /** ISO-8601 instant of that read. */
  seenAt?: string;
}

/** A cached hit, or `'miss'`: K3Cloud had no such order when last asked (cached briefly). */
export type OrderLookup = OrderRef | 'miss';

export interface OrderIndexRepo {
  /** The cached lookup, or undefined when nothing (unexpired) is cached. */
  get(orderId: string): Promise<OrderLookup | undefined>;
  /** Cached lookups for the ids that have one; others are absent from the map. */
  getMany(orderIds: readonly string[]): Promise<Map<string, OrderLookup>>;
  /** Caches a hit; forever unless `ttlMs` is given. Replaces a cached miss. */
  put(orderId: string, value: OrderRef, ttlMs?: number): Promise<void>;
  /** Caches a miss for `ttlMs`, so a burst of receipts of one missing order asks K3Cloud once. */
  putMiss(orderId: string, ttlMs: number): Promise<void>;
  /**
   * The OKKI order id of the K3Cloud order with this number (FBillNo), as last `put`; kept after
   * the cached lookup itself expires (an order's number does not change). Indexed, not scanned.
   */
  findByBillNo(billNo: string): Promise<string | undefined>;
}

const ttlSchema = z
  .number()
  .int()
  .positive()
  .max(365 * 86_400_000);

export const putOrderSchema = z.object({
  orderId: idSchema,
  value: z.object({
    fid: z.number().int().positive(),
    billNo: z.string().max(256).optional(),
    documentStatus: z.string().max(8).optional(),
    seenAt: z.string().max(40).optional(),
  }),
  ttlMs: ttlSchema.optional(),
});

export const putMissSchema = z.object({ orderId: idSchema, ttlMs: ttlSchema });

/** Stored form in Redis (JSON) and MongoDB (document fields). */
export const storedOrderSchema = z.object({
  fid: z.number().optional(),
  billNo: z.string().optional(),
  documentStatus: z.string().optional(),
  seenAt: z.string().optional(),
  miss: z.boolean().optional(),
});

export function toLookup(stored: z.output<typeof storedOrderSchema>): OrderLookup | undefined {
  if (stored.miss) return 'miss';
  if (stored.fid === undefined) return undefined;
  const ref: OrderRef = { fid: stored.fid };
  if (stored.billNo !== undefined) ref.billNo = stored.billNo;
  if (stored.documentStatus !== undefined) ref.documentStatus = stored.documentStatus;
  if (stored.seenAt !== undefined) ref.seenAt = stored.seenAt;
  return ref;
}
