import { randomUUID } from 'node:crypto';
import IORedis from 'ioredis';
import { createSharedPacer } from '.';
import { memoryPaceStore, redisPaceStore } from './pace-store';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('shared pacer', () => {
  let redis: IORedis;
  beforeAll(() => {
    redis = new IORedis(redisUrl, { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('grants at most perSecond starts in any second of Redis time, to two replicas racing for them', async () => {
    // The store is where the rule is decided: each grant carries its time on Redis's clock, so the
    // count per second is exact, free of the skew a caller's own clock or event loop adds.
    const id = `test-${randomUUID()}`;
    const other = new IORedis(redisUrl, { maxRetriesPerRequest: null });
    const replicas = [redisPaceStore(redis, id), redisPaceStore(other, id)];
    const rules = { minTimeMs: 20, perSecond: 50, catchUpMs: 200 };
    const grants: number[] = [];
    const race = async (store: (typeof replicas)[number]) => {
      while (grants.length < 120) {
        const attempt = await store.tryStart(randomUUID(), rules);
        if (attempt.granted) grants.push(attempt.at);
        else await new Promise((resolve) => setTimeout(resolve, Math.min(attempt.retryInMs, 5)));
      }
    };
    await Promise.all(replicas.map(race));
    grants.sort((x, y) => x - y);
    const most = Math.max(...grants.map((g0) => grants.filter((g) => g >= g0 && g < g0 + 1000).length));
    expect(most).toBeLessThanOrEqual(50);
    await other.quit();
  });

  it('shares one budget between two replicas of a pacer: 120 calls at 50/s take more than two seconds', async () => {
    const id = `test-${randomUUID()}`;
    const a = createSharedPacer({ id, maxPerSecond: 50, redis });
    const b = createSharedPacer({ id, maxPerSecond: 50, redis });
    const starts: number[] = [];
    const call = async () => void starts.push(Date.now());
    await Promise.all(Array.from({ length: 120 }, (_, i) => (i % 2 ? a : b).schedule(call)));
    // One shared budget needs three seconds' grants (50 + 50 + 20): over 2,040 ms from first to
    // last. Two separate budgets would start 60 each at 50/s, all within about 1,200 ms.
    expect(Math.max(...starts) - Math.min(...starts)).toBeGreaterThan(1_800);
    await Promise.all([a.close(), b.close()]);
  });

  it('spaces starts to honour a per-second rate in one process', async () => {
    const pacer = createSharedPacer({ id: `test-${randomUUID()}`, maxPerSecond: 50 });
    const starts: number[] = [];
    await Promise.all(Array.from({ length: 6 }, () => pacer.schedule(async () => void starts.push(Date.now()))));
    // 6 starts at 50/s need at least 5 gaps of 20 ms; timers are coarse under load, so allow slack
    // but never a burst (an unpaced limiter starts all six within a few ms).
    expect(starts[starts.length - 1]! - starts[0]!).toBeGreaterThanOrEqual(60);
    await pacer.close();
  });

  it('refuses calls still waiting when it is closed, instead of leaving them hanging', async () => {
    const pacer = createSharedPacer({ id: `test-${randomUUID()}`, maxPerSecond: 1 });
    await pacer.schedule(async () => undefined);
    const waiting = pacer.schedule(async () => 'never'); // the next start is a second away
    await pacer.close();
    await expect(waiting).rejects.toThrow(/closed before the call started/);
  });

  it('keeps pacing when Redis lost its state (restarted empty), running each task once', async () => {
    const id = `test-${randomUUID()}`;
    const pacer = createSharedPacer({ id, maxPerSecond: 20, redis });
    let runs = 0;
    expect(await pacer.schedule(async () => ++runs)).toBe(1);
    await redis.del(`${id}:limiter:next`, `${id}:limiter:recent`); // what an empty Redis looks like to it
    const queued = [pacer.schedule(async () => ++runs), pacer.schedule(async () => ++runs)];
    await redis.del(`${id}:limiter:next`, `${id}:limiter:recent`);
    expect((await Promise.all(queued)).sort()).toEqual([2, 3]);
    await pacer.close();
    await redis.del(`${id}:limiter:next`, `${id}:limiter:recent`);
  });

  describe('schedule after a late start (memory store, fake clock)', () => {
    const rules = { minTimeMs: 10, perSecond: 100, catchUpMs: 200 };
    beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
    afterEach(() => jest.useRealTimers());
    const grants = async (store: ReturnType<typeof memoryPaceStore>, tries: number) => {
      let granted = 0;
      for (let i = 0; i < tries; i++) if ((await store.tryStart('t', rules)).granted) granted += 1;
      return granted;
    };

    it('catches up the starts a stalled process missed, so the rate holds', async () => {
      const store = memoryPaceStore();
      expect(await grants(store, 1)).toBe(1);
      jest.advanceTimersByTime(60); // the event loop woke the pacer 50 ms late
      // Due at +10 … +60: six starts now, then the schedule is met and the next waits.
      expect(await grants(store, 10)).toBe(6);
    });

    it('starts a new schedule after an idle spell instead of bursting', async () => {
      const store = memoryPaceStore();
      expect(await grants(store, 1)).toBe(1);
      jest.advanceTimersByTime(5_000);
      expect(await grants(store, 10)).toBe(1);
    });

    it('never grants more than perSecond within a second, however late it is', async () => {
      const store = memoryPaceStore();
      const tight = { minTimeMs: 10, perSecond: 5, catchUpMs: 200 };
      let granted = 0;
      for (let ms = 0; ms < 1_000; ms += 10) {
        for (let i = 0; i < 3; i++) if ((await store.tryStart('t', tight)).granted) granted += 1;
        jest.advanceTimersByTime(10);
      }
      expect(granted).toBe(5);
    });
  });
});
