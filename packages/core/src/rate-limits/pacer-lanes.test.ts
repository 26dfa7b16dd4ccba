import { randomUUID } from 'node:crypto';
import IORedis from 'ioredis';
import { BULK_FLOOR_EVERY, createSharedPacer, type Lane } from '.';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('shared pacer lanes', () => {
  it('starts live calls ahead of waiting bulk calls, and bulk still gets every fifth start', async () => {
    const pacer = createSharedPacer({ id: `test-${randomUUID()}`, maxPerSecond: 200 });
    const order: string[] = [];
    const call = (lane: Lane) => pacer.schedule(async () => void order.push(lane === 'live' ? 'L' : 'B'), lane);
    const calls = [
      ...Array.from({ length: 10 }, () => call('bulk')),
      ...Array.from({ length: 10 }, () => call('live')),
    ];
    await Promise.all(calls);
    // The first bulk call was already being granted when the live ones came; then live goes first,
    // with one bulk start after every BULK_FLOOR_EVERY - 1 live ones, and the rest of bulk after.
    expect(BULK_FLOOR_EVERY).toBe(5);
    expect(order.join('')).toBe('BLLLLBLLLLBLLBBBBBBB');
    await pacer.close();
  });

  it('keeps first-come order within a lane and runs every call once', async () => {
    const pacer = createSharedPacer({ id: `test-${randomUUID()}`, maxPerSecond: 200 });
    const bulk: number[] = [];
    await Promise.all(Array.from({ length: 8 }, (_, i) => pacer.schedule(async () => void bulk.push(i), 'bulk')));
    expect(bulk).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(pacer.pending()).toBe(0);
    await pacer.close();
  });

  it('refuses the calls of both lanes still waiting when it is closed', async () => {
    const pacer = createSharedPacer({ id: `test-${randomUUID()}`, maxPerSecond: 1 });
    await pacer.schedule(async () => undefined);
    const live = pacer.schedule(async () => 'never', 'live');
    const bulk = pacer.schedule(async () => 'never', 'bulk');
    expect(pacer.pending()).toBe(2);
    await pacer.close();
    await expect(live).rejects.toThrow(/closed before the call started/);
    await expect(bulk).rejects.toThrow(/closed before the call started/);
  });

  it("starts one process's live calls ahead of another process's bulk calls (one shared budget)", async () => {
    const [a, b] = [new IORedis(redisUrl), new IORedis(redisUrl)];
    const id = `test-${randomUUID()}`;
    const backfill = createSharedPacer({ id, maxPerSecond: 50, redis: a });
    const pushes = createSharedPacer({ id, maxPerSecond: 50, redis: b });
    const order: string[] = [];
    const bulk = Array.from({ length: 40 }, () => backfill.schedule(async () => void order.push('B'), 'bulk'));
    try {
      for (const deadline = Date.now() + 5_000; order.length < 3 && Date.now() < deadline;)
        await new Promise((resolve) => setTimeout(resolve, 5));
      const mark = order.length;
      await Promise.all(Array.from({ length: 10 }, () => pushes.schedule(async () => void order.push('L'), 'live')));
      // An even share of the starts would spread the 10 live calls over about 20; live first, with
      // the bulk floor (one start in BULK_FLOOR_EVERY), takes about 12.
      const after = order.slice(mark);
      expect(after.lastIndexOf('L') + 1).toBeLessThanOrEqual(15);
      await Promise.all(bulk);
      expect(order.filter((x) => x === 'B')).toHaveLength(40);
    } finally {
      await Promise.all([backfill.close(), pushes.close()]);
      await Promise.allSettled(bulk);
      await Promise.all([a.quit(), b.quit()]);
    }
  });
});
