import { randomUUID } from 'node:crypto';
import IORedis from 'ioredis';
import { createSharedLimiter } from '.';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('shared limiter', () => {
  let redis: IORedis;
  beforeAll(() => {
    redis = new IORedis(redisUrl, { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('caps concurrency across two limiter instances sharing Redis (two replicas)', async () => {
    const id = `test-${randomUUID()}`;
    const a = createSharedLimiter({ id, maxConcurrent: 2, redis });
    const b = createSharedLimiter({ id, maxConcurrent: 2, redis });
    let inFlight = 0;
    let peak = 0;
    const gate: Array<() => void> = [];
    const task = () =>
      new Promise<void>((resolve) => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        gate.push(() => {
          inFlight -= 1;
          resolve();
        });
      });
    const all = Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).schedule(task));
    // Release tasks one at a time as they start; the cap is observed while 8 compete.
    let released = 0;
    while (released < 8) {
      await new Promise((r) => setTimeout(r, 5));
      const next = gate.shift();
      if (next) {
        next();
        released += 1;
      }
    }
    await Promise.all(all);
    expect(peak).toBe(2);
    await Promise.all([a.close(), b.close()]);
  });

  it('spaces starts to honour a per-second rate in one process', async () => {
    const limiter = createSharedLimiter({ id: `test-${randomUUID()}`, maxPerSecond: 50 });
    const starts: number[] = [];
    await Promise.all(Array.from({ length: 6 }, () => limiter.schedule(async () => void starts.push(Date.now()))));
    // 6 starts at 50/s need at least 5 gaps of 20 ms; timers are coarse under load, so allow slack
    // but never a burst (an unpaced limiter starts all six within a few ms).
    expect(starts[starts.length - 1]! - starts[0]!).toBeGreaterThanOrEqual(60);
    await limiter.close();
  });

  it('writes its settings again when Redis lost them (restarted empty), running each task once', async () => {
    const id = `test-${randomUUID()}`;
    const limiter = createSharedLimiter({ id, maxConcurrent: 2, redis });
    let runs = 0;
    expect(await limiter.schedule(async () => ++runs)).toBe(1);
    const keys = await redis.keys(`b_${id}_*`);
    expect(keys).toContain(`b_${id}_settings`);
    await redis.del(...keys); // what an empty Redis looks like to this limiter
    expect(await limiter.schedule(async () => ++runs)).toBe(2);
    expect(await limiter.schedule(async () => ++runs)).toBe(3);
    expect(await redis.exists(`b_${id}_settings`)).toBe(1);
    await limiter.close();
    const left = await redis.keys(`b_${id}_*`);
    if (left.length) await redis.del(...left);
  });

  it('runs calls that were queued when Redis lost its state, instead of leaving them waiting forever', async () => {
    const id = `test-${randomUUID()}`;
    const limiter = createSharedLimiter({ id, maxConcurrent: 1, redis });
    let release!: () => void;
    let running = false;
    const first = limiter.schedule(
      () =>
        new Promise<string>((resolve) => {
          running = true;
          release = () => resolve('first');
        }),
    );
    while (!running) await new Promise((r) => setTimeout(r, 10));
    const second = limiter.schedule(async () => 'second');
    await redis.del(...(await redis.keys(`b_${id}_*`)));
    release();
    expect(await first).toBe('first');
    expect(await second).toBe('second');
    await limiter.close();
    const left = await redis.keys(`b_${id}_*`);
    if (left.length) await redis.del(...left);
  });
});
