import type { RedisClient } from '@receipt-sync/core';
import { z } from 'zod';

/** The last metadata preflight: whether every mapped K3Cloud key exists in the tenant's metadata. */
export const MetadataReportSchema = z.object({
  ok: z.boolean(),
  formId: z.string(),
  /** Mapped keys the tenant's metadata lacks; empty when ok. */
  unknownKeys: z.array(z.string()),
  checkedAt: z.string(),
});
export type MetadataReport = z.infer<typeof MetadataReportSchema>;

/** A sales order the writer un-audited (policy `unaudit`) and could not audit again. */
export const UnauditedOrderSchema = z.object({
  fid: z.number().int(),
  billNo: z.string(),
  reason: z.string(),
  at: z.string(),
  /** Set while UnAudit → Save → Submit → Audit runs; a writer killed meanwhile leaves it behind. */
  pending: z.boolean().optional(),
});

/** Two or more K3Cloud rows of one receipt on one sales order (a save that landed after it was sent again). */
export const DuplicateRowsSchema = z.object({
  fid: z.number().int(),
  receiptNo: z.string(),
  /** Every FEntryID carrying the receipt; the lowest is kept, the others were flagged removed. */
  entryIds: z.array(z.number().int()),
  at: z.string(),
});
export type DuplicateRows = z.infer<typeof DuplicateRowsSchema>;

/** Duplicates found within this long count for the `duplicate-rows` alert and the dashboard. */
export const DUPLICATE_ROWS_WINDOW_MS = 24 * 3600_000;

/** A pending record older than this means the writer died between UnAudit and Audit. */
export const UNAUDIT_PENDING_GRACE_MS = 10 * 60_000;
export type UnauditedOrder = z.infer<typeof UnauditedOrderSchema>;

/**
 * K3Cloud facts an operator must act on, kept in Redis under QUEUE_PREFIX so the writer (which
 * learns them) and the dashboard / alert monitor (which show them) may run in different processes.
 */
export class K3CloudAttention {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  private get metadataKey(): string {
    return `${this.prefix}:k3cloud:metadata`;
  }

  private get unauditedKey(): string {
    return `${this.prefix}:k3cloud:unaudited-orders`;
  }

  async setMetadata(report: MetadataReport): Promise<void> {
    await this.redis.set(this.metadataKey, JSON.stringify(report));
  }

  /** The last report, or undefined before any writer checked (or when the record is unreadable). */
  async metadata(): Promise<MetadataReport | undefined> {
    const raw = await this.redis.get(this.metadataKey);
    if (!raw) return undefined;
    try {
      const parsed = MetadataReportSchema.safeParse(JSON.parse(raw));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  private get duplicatesKey(): string {
    return `${this.prefix}:k3cloud:duplicate-rows`;
  }

  /** Rows of one receipt found twice on one order, by the read before a save (which flags the extra ones). */
  async recordDuplicates(found: Array<Omit<DuplicateRows, 'at'>>): Promise<void> {
    if (found.length === 0) return;
    const at = new Date().toISOString();
    const fields = found.flatMap((d) => [`${d.fid}|${d.receiptNo}`, JSON.stringify({ ...d, at })]);
    await this.redis.hset(this.duplicatesKey, ...fields);
  }

  /** Duplicates found within DUPLICATE_ROWS_WINDOW_MS, newest first. */
  async duplicateRows(now = Date.now()): Promise<DuplicateRows[]> {
    const all = await this.redis.hgetall(this.duplicatesKey);
    const out: DuplicateRows[] = [];
    for (const raw of Object.values(all)) {
      try {
        const parsed = DuplicateRowsSchema.safeParse(JSON.parse(raw));
        if (parsed.success && now - Date.parse(parsed.data.at) < DUPLICATE_ROWS_WINDOW_MS) out.push(parsed.data);
      } catch {
        // an unreadable record is skipped, not fatal
      }
    }
    return out.sort((a, b) => b.at.localeCompare(a.at));
  }

  async markUnaudited(order: Omit<UnauditedOrder, 'at'>): Promise<void> {
    const record: UnauditedOrder = { ...order, at: new Date().toISOString() };
    await this.redis.hset(this.unauditedKey, String(order.fid), JSON.stringify(record));
  }

  /** The order reads audited (C) again: a person or a later run audited it. */
  async clearUnaudited(fid: number): Promise<void> {
    await this.redis.hdel(this.unauditedKey, String(fid));
  }

  /**
   * Orders left un-audited: re-audit failed, or a writer stopped between UnAudit and Audit (a
   * pending record older than UNAUDIT_PENDING_GRACE_MS). Steps in progress are not listed.
   */
  async unauditedOrders(now = Date.now()): Promise<UnauditedOrder[]> {
    const all = await this.redis.hgetall(this.unauditedKey);
    const out: UnauditedOrder[] = [];
    for (const raw of Object.values(all)) {
      try {
        const parsed = UnauditedOrderSchema.safeParse(JSON.parse(raw));
        const stale = (o: UnauditedOrder) => now - Date.parse(o.at) > UNAUDIT_PENDING_GRACE_MS;
        if (parsed.success && (!parsed.data.pending || stale(parsed.data))) out.push(parsed.data);
      } catch {
        // an unreadable record is skipped, not fatal
      }
    }
    return out.sort((a, b) => a.fid - b.fid);
  }
}
