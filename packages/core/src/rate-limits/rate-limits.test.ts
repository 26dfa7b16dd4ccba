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

  it('holds an acquired slot until its release, across replicas, and a second release frees nothing more', async () => {
    const id = `test-${randomUUID()}`;
    const a = createSharedLimiter({ id, maxConcurrent: 1, redis });
    const b = createSharedLimiter({ id, maxConcurrent: 1, redis });
    const release = await a.acquire();
    let bGranted = false;
    const waiting = b.acquire().then((r) => {
      bGranted = true;
      return r;
    });
    // b polls every 10 ms; after many polls it must still be waiting.
    await new Promise((r) => setTimeout(r, 200));
    expect(bGranted).toBe(false);
    await release();
    const releaseB = await waiting;
    expect(bGranted).toBe(true);
    await release(); // idempotent: must not free b's slot
    let cGranted = false;
    const c = a.acquire().then((r) => {
      cGranted = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(cGranted).toBe(false);
    await releaseB();
    await (
      await c
    )();
    expect(a.pending()).toBe(0);
    await Promise.all([a.close(), b.close()]);
  });

  it('never starts more than maxPerSecond calls in any second, across two replicas', async () => {
    const id = `test-${randomUUID()}`;
    const a = createSharedLimiter({ id, maxPerSecond: 50, redis });
    const b = createSharedLimiter({ id, maxPerSecond: 50, redis });
    const starts: number[] = [];
    const call = async () => {
      const [sec, micros] = await redis.time();
      starts.push(Number(sec) * 1000 + Math.floor(Number(micros) / 1000));
    };
    await Promise.all(Array.from({ length: 80 }, (_, i) => (i % 2 ? a : b).schedule(call)));
    starts.sort((x, y) => x - y);
    // Redis's clock, read inside each call: a start is after its grant, so any 1,000 ms of them
    // holds at most the grants of 1,000 ms plus the call's few milliseconds of skew.
    const most = Math.max(...starts.map((s0) => starts.filter((s) => s >= s0 && s < s0 + 990).length));
    expect(most).toBeLessThanOrEqual(50);
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

  it("frees a crashed replica's running slot once it expires, and not before", async () => {
    const id = `test-${randomUUID()}`;
    const crashed = createSharedLimiter({ id, maxConcurrent: 1, redis, slotExpiryMs: 1_500 });
    let started = false;
    void crashed.schedule(() => new Promise(() => undefined)); // holds its slot and never releases it
    await new Promise((r) => setTimeout(r, 50));
    const survivor = createSharedLimiter({ id, maxConcurrent: 1, redis, slotExpiryMs: 1_500 });
    const call = survivor.schedule(async () => {
      started = true;
    });
    await new Promise((r) => setTimeout(r, 150));
    expect(started).toBe(false); // the slot is still taken
    await call; // ...until it expires (without expiry this never resolves and the test times out)
    expect(started).toBe(true);
    await survivor.close();
    await redis.del(`${id}:limiter:slots`, `${id}:limiter:next`);
  });

  it('refuses calls still waiting when it is closed, instead of leaving them hanging', async () => {
    const limiter = createSharedLimiter({ id: `test-${randomUUID()}`, maxConcurrent: 1 });
    let release!: () => void;
    const running = limiter.schedule(() => new Promise<void>((r) => (release = r)));
    const waiting = limiter.schedule(async () => 'never');
    await new Promise((r) => setTimeout(r, 20));
    await limiter.close();
    await expect(waiting).rejects.toThrow(/closed before the call started/);
    release();
    await running;
  });

  it('keeps working when Redis lost its state (restarted empty), running each task once', async () => {
    const id = `test-${randomUUID()}`;
    const limiter = createSharedLimiter({ id, maxConcurrent: 2, redis });
    let runs = 0;
    expect(await limiter.schedule(async () => ++runs)).toBe(1);
    await redis.del(`${id}:limiter:slots`, `${id}:limiter:next`); // what an empty Redis looks like to it
    expect(await limiter.schedule(async () => ++runs)).toBe(2);
    await limiter.rebuild(); // the healer's call: nothing to rewrite, the rules travel with every call
    expect(await limiter.schedule(async () => ++runs)).toBe(3);
    await limiter.close();
    await redis.del(`${id}:limiter:slots`, `${id}:limiter:next`);
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
    await redis.del(`${id}:limiter:slots`, `${id}:limiter:next`);
    release();
    expect(await first).toBe('first');
    expect(await second).toBe('second');
    await limiter.close();
    await redis.del(`${id}:limiter:slots`, `${id}:limiter:next`);
  });
});
