import { randomUUID } from 'node:crypto';
import IORedis from 'ioredis';
import { createSharedPacer } from '.';
import { memoryPaceStore } from './pace-store';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('shared pacer', () => {
  let redis: IORedis;
  beforeAll(() => {
    redis = new IORedis(redisUrl, { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('never starts more than maxPerSecond calls in any second, across two replicas', async () => {
    const id = `test-${randomUUID()}`;
    const a = createSharedPacer({ id, maxPerSecond: 50, redis });
    const b = createSharedPacer({ id, maxPerSecond: 50, redis });
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
