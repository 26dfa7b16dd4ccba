import type { RedisClient } from '@receipt-sync/core';

/**
 * Names of the time series the dashboard charts. Outcome counters are added by the pipeline as
 * receipts finish; `checkpointLag` is sampled by the alert monitor. `freshness` (seconds from
 * OKKI `update_time` to the K3Cloud write) is reserved for the push receiver: whatever records it
 * under this name is charted without further change.
 */
export const SERIES = {
  written: 'written',
  unchanged: 'unchanged',
  quarantined: 'quarantined',
  deadLettered: 'dead-lettered',
  checkpointLag: 'checkpoint-lag',
  freshness: 'freshness',
} as const;
export type SeriesName = (typeof SERIES)[keyof typeof SERIES];

export interface SeriesPoint {
  /** Start of the minute (or of the bucket when read with `bucketMinutes`). */
  at: Date;
  /** Sum of counts, or the highest sample of a gauge; null when nothing was recorded. */
  value: number | null;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Hour buckets live 25 h, so 24 h are always readable and memory stays bounded. */
const BUCKET_TTL_SECONDS = 25 * 3600;

/** Keeps the highest sample of the minute. */
const GAUGE_MAX = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur == false or tonumber(cur) < tonumber(ARGV[2]) then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
`;

/**
 * Per-minute values kept in Redis for the last 24 h: one hash per series and hour
 * (`${prefix}:series:<name>:<hour>`, field = minute of the hour), expiring after 25 h. Redis
 * always runs (BullMQ), so this needs no MongoDB twin.
 */
export class TimeSeries {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  private slot(at: Date): { key: (name: string) => string; field: string } {
    const ms = at.getTime();
    const hour = Math.floor(ms / HOUR);
    return {
      key: (name) => `${this.prefix}:series:${name}:${hour}`,
      field: String(Math.floor((ms % HOUR) / MINUTE)),
    };
  }

  /** Adds `n` to the minute's counter. */
  async add(name: SeriesName, n = 1, at = new Date()): Promise<void> {
    const { key, field } = this.slot(at);
    await this.redis.multi().hincrby(key(name), field, n).expire(key(name), BUCKET_TTL_SECONDS).exec();
  }

  /** Records a gauge sample; the minute keeps its highest. */
  async sample(name: SeriesName, value: number, at = new Date()): Promise<void> {
    if (!Number.isFinite(value)) return;
    const { key, field } = this.slot(at);
    await this.redis.eval(GAUGE_MAX, 1, key(name), field, String(value), BUCKET_TTL_SECONDS);
  }

  /**
   * The last `minutes` (at most 24 h) up to `now`, oldest first, in buckets of `bucketMinutes`:
   * counters are summed, gauges (`gauge: true`) take the bucket's highest sample.
   */
  async read(
    name: SeriesName,
    opts: { minutes?: number; bucketMinutes?: number; gauge?: boolean; now?: Date } = {},
  ): Promise<SeriesPoint[]> {
    const minutes = Math.min(Math.max(1, opts.minutes ?? 1440), 1440);
    const bucket = Math.max(1, opts.bucketMinutes ?? 1);
    const end = Math.floor((opts.now ?? new Date()).getTime() / MINUTE) * MINUTE;
    const start = end - (minutes - 1) * MINUTE;
    const hours: number[] = [];
    for (let h = Math.floor(start / HOUR); h <= Math.floor(end / HOUR); h += 1) hours.push(h);
    const pipeline = this.redis.pipeline();
    for (const h of hours) pipeline.hgetall(`${this.prefix}:series:${name}:${h}`);
    const results = (await pipeline.exec()) ?? [];
    const byMinute = new Map<number, number>();
    results.forEach(([error, value], i) => {
      if (error) throw error;
      for (const [field, v] of Object.entries(value as Record<string, string>))
        byMinute.set(hours[i]! * HOUR + Number(field) * MINUTE, Number(v));
    });
    const points: SeriesPoint[] = [];
    for (let t = start; t <= end; t += bucket * MINUTE) {
      let value: number | null = null;
      for (let m = t; m < t + bucket * MINUTE && m <= end; m += MINUTE) {
        const v = byMinute.get(m);
        if (v === undefined) continue;
        value = value === null ? v : opts.gauge ? Math.max(value, v) : value + v;
      }
      points.push({ at: new Date(t), value });
    }
    return points;
  }
}
