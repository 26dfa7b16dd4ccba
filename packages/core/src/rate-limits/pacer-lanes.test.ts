import { randomUUID } from 'node:crypto';
import { BULK_FLOOR_EVERY, createSharedPacer, type Lane } from '.';

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
});
