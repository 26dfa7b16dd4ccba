import type { ContractContext } from './context';

export function checkpointContract(ctx: ContractContext): void {
  describe('checkpoints', () => {
    it('has no checkpoint until the first advance, then reports it', async () => {
      const { store } = await ctx.fresh();
      expect(await store.checkpoints.get('receipts')).toBeUndefined();
      expect(await store.checkpoints.advance('receipts', '2025-04-15 17:00:00', undefined)).toBe(true);
      const cp = await store.checkpoints.get('receipts');
      expect(cp).toMatchObject({ stream: 'receipts', windowEnd: '2025-04-15 17:00:00' });
      expect(cp?.updatedAt).toBeInstanceOf(Date);
    });

    it('refuses a stale expected value and never moves backwards', async () => {
      const { store } = await ctx.fresh();
      const cps = store.checkpoints;
      expect(await cps.advance('receipts', '2025-04-15 10:00:00', undefined)).toBe(true);
      expect(await cps.advance('receipts', '2025-04-15 12:00:00', undefined)).toBe(false);
      expect(await cps.advance('receipts', '2025-04-15 12:00:00', '2025-04-15 09:00:00')).toBe(false);
      expect(await cps.advance('receipts', '2025-04-15 09:59:59', '2025-04-15 10:00:00')).toBe(false);
      expect((await cps.get('receipts'))?.windowEnd).toBe('2025-04-15 10:00:00');
      expect(await cps.advance('receipts', '2025-04-15 10:05:00', '2025-04-15 10:00:00')).toBe(true);
      expect((await cps.get('receipts'))?.windowEnd).toBe('2025-04-15 10:05:00');
    });

    it('lets exactly one of several concurrent producers advance from the same previous value', async () => {
      const { store, prefix } = await ctx.fresh();
      const producers = [store, await ctx.replica(prefix), await ctx.replica(prefix)];
      for (let round = 0; round < 5; round++) {
        const stream = `race-${round}`;
        // Round 0 races on the first insert (no previous value); later rounds on an update.
        const previous = round === 0 ? undefined : '2025-04-15 08:00:00';
        if (previous) expect(await store.checkpoints.advance(stream, previous, undefined)).toBe(true);
        const ends = producers.flatMap((_, i) => [`2025-04-15 09:0${i}:00`, `2025-04-15 09:1${i}:00`]);
        const results = await Promise.all(
          ends.map((end, i) => producers[i % producers.length]!.checkpoints.advance(stream, end, previous)),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        const winner = ends[results.indexOf(true)];
        expect((await store.checkpoints.get(stream))?.windowEnd).toBe(winner);
      }
    });

    it('merges completed windows into intervals', async () => {
      const { store } = await ctx.fresh();
      const cps = store.checkpoints;
      await cps.advance('receipts', '2025-04-15 10:00:00', undefined, {
        start: '2025-04-15 08:00:00',
        end: '2025-04-15 10:00:00',
      });
      // The next window starts a lookback before the previous end, so the two overlap and merge.
      await cps.advance('receipts', '2025-04-15 11:00:00', '2025-04-15 10:00:00', {
        start: '2025-04-15 09:58:00',
        end: '2025-04-15 11:00:00',
      });
      await cps.advance('receipts', '2025-04-15 13:00:00', '2025-04-15 11:00:00', {
        start: '2025-04-15 12:00:00',
        end: '2025-04-15 13:00:00',
      });
      expect((await cps.get('receipts'))?.completedIntervals).toEqual([
        { start: '2025-04-15 08:00:00', end: '2025-04-15 11:00:00' },
        { start: '2025-04-15 12:00:00', end: '2025-04-15 13:00:00' },
      ]);
    });

    it('rejects stamps that are not China time YYYY-MM-DD HH:mm:ss, naming the field', async () => {
      const { store } = await ctx.fresh();
      await expect(store.checkpoints.advance('receipts', '2025-04-15T10:00:00Z', undefined)).rejects.toThrow(
        /windowEnd/,
      );
      await expect(store.checkpoints.advance('receipts', '2025-02-30 10:00:00', undefined)).rejects.toMatchObject({
        code: 'input.invalid',
      });
      expect(await store.checkpoints.get('receipts')).toBeUndefined();
    });
  });

  describe('windows', () => {
    it('opens, patches (counts merged) and lists windows newest first', async () => {
      const { store } = await ctx.fresh();
      const w = store.windows;
      await w.open({
        id: 'w1',
        start: '2025-04-15 08:00:00',
        end: '2025-04-15 09:00:00',
        startedAt: new Date('2025-04-15T01:00:00Z'),
      });
      await w.open({
        id: 'w2',
        start: '2025-04-15 08:58:00',
        end: '2025-04-15 10:00:00',
        startedAt: new Date('2025-04-15T02:00:00Z'),
      });
      await w.update('w1', { status: 'enqueued', counts: { fetched: 12, enqueued: 12 } });
      await w.update('w1', {
        status: 'completed',
        counts: { written: 10, unchanged: 2 },
        finishedAt: new Date('2025-04-15T01:01:00Z'),
      });
      expect(await w.get('w1')).toEqual({
        id: 'w1',
        start: '2025-04-15 08:00:00',
        end: '2025-04-15 09:00:00',
        status: 'completed',
        counts: { fetched: 12, enqueued: 12, written: 10, unchanged: 2 },
        startedAt: new Date('2025-04-15T01:00:00Z'),
        finishedAt: new Date('2025-04-15T01:01:00Z'),
      });
      await w.update('w2', { status: 'failed', error: 'Redis unreachable' });
      expect((await w.latest(10)).map((x) => [x.id, x.status])).toEqual([
        ['w2', 'failed'],
        ['w1', 'completed'],
      ]);
      expect((await w.latest(1)).map((x) => x.id)).toEqual(['w2']);
    });

    it('keeps the stored window when an id is opened twice, and rejects patches to unknown ids', async () => {
      const { store } = await ctx.fresh();
      await store.windows.open({ id: 'w1', start: '2025-04-15 08:00:00', end: '2025-04-15 09:00:00' });
      await store.windows.update('w1', { status: 'enqueued' });
      await store.windows.open({ id: 'w1', start: '2025-04-15 08:30:00', end: '2025-04-15 09:30:00' });
      expect(await store.windows.get('w1')).toMatchObject({ start: '2025-04-15 08:00:00', status: 'enqueued' });
      await expect(store.windows.update('nope', { status: 'failed' })).rejects.toThrow(/no window with id nope/);
      expect(await store.windows.get('nope')).toBeUndefined();
    });

    it('keeps only the newest windows beyond its limit', async () => {
      const { store } = await ctx.fresh({ windowLimit: 3 });
      for (let i = 1; i <= 5; i++) {
        await store.windows.open({
          id: `w${i}`,
          start: '2025-04-15 08:00:00',
          end: '2025-04-15 09:00:00',
          startedAt: new Date(Date.UTC(2025, 3, 15, i)),
        });
      }
      expect((await store.windows.latest(10)).map((w) => w.id)).toEqual(['w5', 'w4', 'w3']);
      expect(await store.windows.get('w1')).toBeUndefined();
    });
  });
}
