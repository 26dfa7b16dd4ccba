import type { RedisClient } from '@receipt-sync/core';
import { parseChinaTime } from '@receipt-sync/core';

const DAY_S = 24 * 3600;
const HOUR_MS = 3600_000;
/** Freshness samples kept for the dashboard (last hour, at most this many). */
const MAX_SAMPLES = 20_000;

export type FirstSeenSource = 'push' | 'poll';

export interface FreshnessSample {
  /** When K3Cloud confirmed the write (ms since epoch). */
  atMs: number;
  seconds: number;
  source: 'push' | 'window';
  versionKey: string;
}

/** The OKKI update_time of a receipt version key (`<id>-<YYYYMMDDHHmmss>-<state>`, China time). */
export function versionTime(versionKey: string): number | undefined {
  const tag = /-(\d{14})-/.exec(versionKey)?.[1];
  if (!tag) return undefined;
  const text = `${tag.slice(0, 4)}-${tag.slice(4, 6)}-${tag.slice(6, 8)} ${tag.slice(8, 10)}:${tag.slice(10, 12)}:${tag.slice(12)}`;
  return parseChinaTime(text)?.getTime();
}

export interface PushSummary {
  lastMessageAt?: Date;
  firstSeen: Record<FirstSeenSource, number>;
  /** Versions first seen by polling in the last hour while push was configured. */
  missedLastHour: number;
  /** Push events for receipts OKKI no longer returns (recorded once, not retried). */
  gone: number;
}

/**
 * What push leaves in Redis under QUEUE_PREFIX, shared by the receiver, the push worker, the
 * producer (sweeper), the writer (freshness) and the dashboard/alerts, which run in any process.
 */
export class PushState {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  /** Not `<prefix>:push:…`: that is the BullMQ `push` queue's key space (its obliterate would take these too). */
  private key(name: string): string {
    return `${this.prefix}:okki-push:${name}`;
  }

  /** True the first time a message id is seen in 24 h (SET NX EX). */
  async claimMessage(messageId: string): Promise<boolean> {
    return (await this.redis.set(this.key(`msg:${messageId}`), '1', 'EX', DAY_S, 'NX')) === 'OK';
  }

  /** Gives a claim back when its job could not be enqueued, so OKKI's retry is not mistaken for a duplicate. */
  async releaseMessage(messageId: string): Promise<void> {
    await this.redis.del(this.key(`msg:${messageId}`));
  }

  private lastMarkMs = 0;

  /** The time of the last message, written at most once a second per process (it is a status figure). */
  async markMessage(at: Date): Promise<void> {
    if (at.getTime() - this.lastMarkMs < 1000) return;
    this.lastMarkMs = at.getTime();
    await this.redis.set(this.key('last-message-at'), at.toISOString());
  }

  /** Notes when push went live (the first receiver start under this prefix); kept once set. */
  async markConfigured(at = new Date()): Promise<void> {
    await this.redis.set(this.key('configured-since'), at.toISOString(), 'NX');
  }

  async configuredSince(): Promise<Date | undefined> {
    const text = await this.redis.get(this.key('configured-since'));
    return text ? new Date(text) : undefined;
  }

  /**
   * Records who saw each receipt version first; counts only first sightings. Returns how many were
   * first. Versions saved in OKKI before push went live (a first load, a backfill) could never have
   * been pushed to us: polling's sightings of those are not recorded, so they never count as missed.
   */
  async recordFirstSeen(versionKeys: string[], source: FirstSeenSource, at = Date.now()): Promise<number> {
    if (source === 'poll') {
      const since = (await this.configuredSince())?.getTime();
      // update_time has whole seconds: a version saved in the same second push went live counts.
      const from = since === undefined ? undefined : Math.floor(since / 1000) * 1000;
      versionKeys = from === undefined ? [] : versionKeys.filter((k) => (versionTime(k) ?? 0) >= from);
    }
    if (versionKeys.length === 0) return 0;
    const multi = this.redis.multi();
    for (const k of versionKeys) multi.set(this.key(`seen:${k}`), source, 'EX', 7 * DAY_S, 'NX');
    const results = (await multi.exec()) ?? [];
    const first = versionKeys.filter((_, i) => results[i]?.[1] === 'OK');
    if (first.length === 0) return 0;
    const after = this.redis.multi().hincrby(this.key('first-seen'), source, first.length);
    if (source === 'poll') {
      after.zadd(this.key('missed'), ...first.flatMap((k) => [at, k]));
      after.zremrangebyscore(this.key('missed'), 0, at - HOUR_MS);
    }
    await after.exec();
    return first.length;
  }

  async recordGone(receiptId: number, event: string, at = new Date()): Promise<void> {
    await this.redis
      .multi()
      .lpush(this.key('gone'), JSON.stringify({ receiptId, event, at: at.toISOString() }))
      .ltrim(this.key('gone'), 0, 999)
      .hincrby(this.key('first-seen'), 'gone', 1)
      .exec();
  }

  async recordFreshness(sample: FreshnessSample): Promise<void> {
    const member = `${sample.atMs}|${sample.seconds.toFixed(3)}|${sample.source}|${sample.versionKey}`;
    await this.redis
      .multi()
      .zadd(this.key('freshness'), sample.atMs, member)
      .zremrangebyscore(this.key('freshness'), 0, sample.atMs - HOUR_MS)
      .zremrangebyrank(this.key('freshness'), 0, -MAX_SAMPLES - 1)
      .exec();
  }

  /** Freshness samples written since `sinceMs` (default: the last hour), oldest first. */
  async freshness(sinceMs = Date.now() - HOUR_MS): Promise<FreshnessSample[]> {
    const members = await this.redis.zrangebyscore(this.key('freshness'), sinceMs, '+inf');
    return members.map((m) => {
      const [atMs, seconds, source, versionKey] = m.split('|');
      return {
        atMs: Number(atMs),
        seconds: Number(seconds),
        source: source === 'push' ? 'push' : 'window',
        versionKey: versionKey ?? '',
      };
    });
  }

  async summary(now = Date.now()): Promise<PushSummary> {
    const [last, counts, missed] = await Promise.all([
      this.redis.get(this.key('last-message-at')),
      this.redis.hgetall(this.key('first-seen')),
      this.redis.zcount(this.key('missed'), now - HOUR_MS, '+inf'),
    ]);
    return {
      lastMessageAt: last ? new Date(last) : undefined,
      firstSeen: { push: Number(counts.push ?? 0), poll: Number(counts.poll ?? 0) },
      missedLastHour: missed,
      gone: Number(counts.gone ?? 0),
    };
  }
}

/** p-th percentile (0..100) by nearest rank; undefined for no samples. */
export function percentile(values: number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

export interface FreshnessFigures {
  count: number;
  p50?: number;
  p95?: number;
}

/** p50/p95 of freshness samples: all of them, and split by how the version arrived. */
export function freshnessFigures(samples: FreshnessSample[]): Record<'all' | 'push' | 'window', FreshnessFigures> {
  const figures = (values: number[]): FreshnessFigures => ({
    count: values.length,
    p50: percentile(values, 50),
    p95: percentile(values, 95),
  });
  return {
    all: figures(samples.map((s) => s.seconds)),
    push: figures(samples.filter((s) => s.source === 'push').map((s) => s.seconds)),
    window: figures(samples.filter((s) => s.source === 'window').map((s) => s.seconds)),
  };
}
