import type { ReceiptOutcome, RedisClient } from '@receipt-sync/core';

export interface WindowOutcomes {
  fetched: number;
  written: number;
  unchanged: number;
  quarantined: number;
  deadLettered: number;
  pending: number;
}

/**
 * Remembers which receipt versions each window fetched and how each one ended, so `sync:once`
 * can report a window's outcome even when some of its jobs were deduplicated onto jobs of an
 * earlier (killed) run. Keys expire; this is reporting state, not the ledger.
 */
export class OutcomeTracker {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly ttlSeconds = 7 * 24 * 3600,
  ) {}

  private fetchedKey(windowId: string): string {
    return `${this.prefix}:window:${windowId}:fetched`;
  }

  private outcomeKey(versionKey: string): string {
    return `${this.prefix}:outcome:${versionKey}`;
  }

  async recordFetched(windowId: string, versionKeys: string[]): Promise<void> {
    if (versionKeys.length === 0) return;
    const key = this.fetchedKey(windowId);
    await this.redis
      .multi()
      .sadd(key, ...versionKeys)
      .expire(key, this.ttlSeconds)
      .exec();
  }

  async record(versionKey: string, outcome: ReceiptOutcome): Promise<void> {
    await this.redis.set(this.outcomeKey(versionKey), outcome, 'EX', this.ttlSeconds);
  }

  async outcomeOf(versionKey: string): Promise<ReceiptOutcome | undefined> {
    return ((await this.redis.get(this.outcomeKey(versionKey))) as ReceiptOutcome | null) ?? undefined;
  }

  async summarize(windowId: string): Promise<WindowOutcomes> {
    const summary: WindowOutcomes = {
      fetched: 0,
      written: 0,
      unchanged: 0,
      quarantined: 0,
      deadLettered: 0,
      pending: 0,
    };
    let cursor = '0';
    do {
      const [next, members] = await this.redis.sscan(this.fetchedKey(windowId), cursor, 'COUNT', 1000);
      cursor = next;
      if (members.length === 0) continue;
      const outcomes = await this.redis.mget(...members.map((m) => this.outcomeKey(m)));
      for (const o of outcomes) {
        summary.fetched += 1;
        if (o === 'written') summary.written += 1;
        else if (o === 'unchanged') summary.unchanged += 1;
        else if (o === 'quarantined') summary.quarantined += 1;
        else if (o === 'dead-lettered') summary.deadLettered += 1;
        else summary.pending += 1;
      }
    } while (cursor !== '0');
    return summary;
  }
}
