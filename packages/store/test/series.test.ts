import { randomUUID } from 'node:crypto';
import IORedis from 'ioredis';
import { SERIES, TimeSeries } from '../src';
import { redisUrl } from './backends';

describe('TimeSeries', () => {
  const redis = new IORedis(redisUrl, { maxRetriesPerRequest: 3 });
  const prefix = `test-series-${randomUUID()}`;
  const series = new TimeSeries(redis, prefix);
  const now = new Date('2025-04-15T10:30:20Z');
  const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('counts per minute, sums into buckets, and keeps each hour bucket bounded by a TTL', async () => {
    await series.add(SERIES.written, 2, minutesAgo(0));
    await series.add(SERIES.written, 3, minutesAgo(0));
    await series.add(SERIES.written, 1, minutesAgo(2));
    await series.add(SERIES.written, 7, minutesAgo(45)); // previous hour
    await series.add(SERIES.written, 9, minutesAgo(60 * 25)); // older than the window read
    const last3 = await series.read(SERIES.written, { minutes: 3, now });
    expect(last3.map((p) => p.value)).toEqual([1, null, 5]);
    expect(last3[2]!.at.toISOString()).toBe('2025-04-15T10:30:00.000Z');
    const hour = await series.read(SERIES.written, { minutes: 60, bucketMinutes: 30, now });
    expect(hour.map((p) => p.value)).toEqual([7, 6]);
    const day = await series.read(SERIES.written, { now });
    expect(day).toHaveLength(1440);
    expect(day.reduce((a, p) => a + (p.value ?? 0), 0)).toBe(13);
    const ttl = await redis.ttl(`${prefix}:series:written:${Math.floor(now.getTime() / 3_600_000)}`);
    expect(ttl).toBeGreaterThan(24 * 3600);
    expect(ttl).toBeLessThanOrEqual(25 * 3600);
  });

  it('keeps the highest gauge sample of a minute and of a bucket', async () => {
    await series.sample(SERIES.checkpointLag, 40, minutesAgo(1));
    await series.sample(SERIES.checkpointLag, 90, minutesAgo(1));
    await series.sample(SERIES.checkpointLag, 60, minutesAgo(1));
    await series.sample(SERIES.checkpointLag, 30, minutesAgo(0));
    const points = await series.read(SERIES.checkpointLag, { minutes: 2, gauge: true, now });
    expect(points.map((p) => p.value)).toEqual([90, 30]);
    const one = await series.read(SERIES.checkpointLag, { minutes: 2, bucketMinutes: 2, gauge: true, now });
    expect(one.map((p) => p.value)).toEqual([90]);
  });
});
