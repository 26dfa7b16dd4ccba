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

  /** Sorted set: versions seen (window or push) and not yet given an outcome, scored by when (ms). */
  private get inFlightKey(): string {
    return `${this.prefix}:outcome:in-flight`;
  }

  async recordFetched(windowId: string, versionKeys: string[]): Promise<void> {
    if (versionKeys.length === 0) return;
    const key = this.fetchedKey(windowId);
    await this.redis
      .multi()
      .sadd(key, ...versionKeys)
      .expire(key, this.ttlSeconds)
      .zadd(this.inFlightKey, 'NX', ...inFlightArgs(versionKeys, Date.now()))
      .exec();
  }

  /**
   * Versions enqueued outside a window (push, re-driven): in flight from `at` until their outcome. A
   * version already in flight keeps its first sighting unless `restart` (a re-driven one starts again).
   */
  async recordSeen(versionKeys: string[], opts: { at?: Date; restart?: boolean } = {}): Promise<void> {
    if (versionKeys.length === 0) return;
    const at = (opts.at ?? new Date()).getTime();
    if (opts.restart) await this.redis.zadd(this.inFlightKey, ...inFlightArgs(versionKeys, at));
    else await this.redis.zadd(this.inFlightKey, 'NX', ...inFlightArgs(versionKeys, at));
  }

  async record(versionKey: string, outcome: ReceiptOutcome): Promise<void> {
    await this.redis
      .multi()
      .set(this.outcomeKey(versionKey), outcome, 'EX', this.ttlSeconds)
      .zrem(this.inFlightKey, versionKey)
      .exec();
  }

  /** Versions seen before `before` and still without an outcome, oldest first (the stuck sweeper's candidates). */
  async inFlightBefore(before: Date, limit: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.inFlightKey, '-inf', `(${before.getTime()}`, 'LIMIT', 0, limit);
  }

  /** Drops versions from the in-flight set (their outcome is known from the ledger, or they are gone). */
  async forget(versionKeys: readonly string[]): Promise<void> {
    if (versionKeys.length > 0) await this.redis.zrem(this.inFlightKey, ...versionKeys);
  }

  /** Versions the window fetched that have no outcome yet. */
  async unsettled(windowId: string): Promise<string[]> {
    const members = await this.redis.smembers(this.fetchedKey(windowId));
    const out: string[] = [];
    for (let i = 0; i < members.length; i += 1000) {
      const chunk = members.slice(i, i + 1000);
      const outcomes = await this.redis.mget(...chunk.map((m) => this.outcomeKey(m)));
      chunk.forEach((m, j) => {
        if (outcomes[j] === null || outcomes[j] === undefined) out.push(m);
      });
    }
    return out;
  }

  /** Recorded outcomes of these versions; versions without one are absent. */
  async outcomesOf(versionKeys: readonly string[]): Promise<Map<string, ReceiptOutcome>> {
    const found = new Map<string, ReceiptOutcome>();
    if (versionKeys.length === 0) return found;
    const outcomes = await this.redis.mget(...versionKeys.map((k) => this.outcomeKey(k)));
    versionKeys.forEach((k, i) => {
      const o = outcomes[i];
      if (o) found.set(k, o as ReceiptOutcome);
    });
    return found;
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

function inFlightArgs(versionKeys: readonly string[], atMs: number): Array<string | number> {
  return versionKeys.flatMap((k) => [atMs, k]);
}
