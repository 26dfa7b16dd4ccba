import type { RedisClient } from '@receipt-sync/core';
import { z } from 'zod';

/** One receipt version the last sweep found stuck, and what the sweep did with it. */
export const StuckVersionSchema = z.object({
  receiptId: z.string(),
  /** OKKI `update_time` of the version (`YYYY-MM-DD HH:mm:ss`). */
  version: z.string(),
  removed: z.boolean(),
  /** `redriven`: fetched again and re-queued; `gone`/`draft`: OKKI has nothing to sync; `failed`: the fetch failed. */
  result: z.enum(['redriven', 'gone', 'draft', 'failed']),
});
export type StuckVersion = z.infer<typeof StuckVersionSchema>;

/** What the last sweep found: read by the alert monitor and the dashboard, maybe in another process. */
export const StuckSweepReportSchema = z.object({
  /** ISO time of the sweep. */
  at: z.string(),
  /** SYNC_STUCK_SECONDS the sweep used. */
  stuckSeconds: z.number(),
  /** Versions found stuck (seen that long ago, no outcome, no job in raw or ready). */
  stuck: z.number().int().min(0),
  /** Of them, fetched from OKKI again and re-queued. */
  redriven: z.number().int().min(0),
  /** Up to STUCK_SAMPLES of them. */
  samples: z.array(StuckVersionSchema),
});
export type StuckSweepReport = z.infer<typeof StuckSweepReportSchema>;

export const STUCK_SAMPLES = 10;

/** The last stuck-receipts sweep, kept in Redis under QUEUE_PREFIX (like K3CloudAttention). */
export class StuckReceiptsReport {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  private get key(): string {
    return `${this.prefix}:stuck-receipts:last-sweep`;
  }

  async save(report: StuckSweepReport): Promise<void> {
    await this.redis.set(this.key, JSON.stringify(report));
  }

  /** The last sweep, or undefined before any (or when the record is unreadable). */
  async last(): Promise<StuckSweepReport | undefined> {
    const raw = await this.redis.get(this.key);
    if (!raw) return undefined;
    try {
      const parsed = StuckSweepReportSchema.safeParse(JSON.parse(raw));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }
}
