import { eventually } from '../backends';
import { apiCall, type ContractContext } from './context';

export function orderIndexContract(ctx: ContractContext): void {
  describe('order index', () => {
    it('returns hits, cached misses and nothing, one by one and in bulk', async () => {
      const { store } = await ctx.fresh();
      await store.orders.put('o-1', { fid: 100001, billNo: 'XSDD000001' });
      await store.orders.put('o-2', { fid: 100002 });
      await store.orders.putMiss('o-3', 60_000);
      await store.orders.put('o-5', {
        fid: 100005,
        billNo: 'XSDD000005',
        documentStatus: 'C',
        seenAt: '2025-04-15T02:00:00.000Z',
      });
      expect(await store.orders.get('o-1')).toEqual({ fid: 100001, billNo: 'XSDD000001' });
      expect(await store.orders.get('o-5')).toEqual({
        fid: 100005,
        billNo: 'XSDD000005',
        documentStatus: 'C',
        seenAt: '2025-04-15T02:00:00.000Z',
      });
      expect(await store.orders.get('o-2')).toEqual({ fid: 100002 });
      expect(await store.orders.get('o-3')).toBe('miss');
      expect(await store.orders.get('o-4')).toBeUndefined();
      const many = await store.orders.getMany(['o-1', 'o-3', 'o-4', 'o-1']);
      expect([...many.entries()].sort()).toEqual([
        ['o-1', { fid: 100001, billNo: 'XSDD000001' }],
        ['o-3', 'miss'],
      ]);
    });

    it('forgets a cached miss (and a hit given a TTL) once the TTL passes', async () => {
      const { store } = await ctx.fresh();
      await store.orders.putMiss('o-miss', 300);
      await store.orders.put('o-hit', { fid: 5 }, 300);
      expect(await store.orders.get('o-miss')).toBe('miss');
      await eventually(
        () => store.orders.get('o-miss'),
        (v) => v === undefined,
      );
      await eventually(
        () => store.orders.get('o-hit'),
        (v) => v === undefined,
      );
      expect((await store.orders.getMany(['o-miss', 'o-hit'])).size).toBe(0);
    });

    it('replaces a cached miss with a permanent hit that outlives the miss TTL', async () => {
      const { store } = await ctx.fresh();
      await store.orders.putMiss('o-1', 300);
      await store.orders.putMiss('o-sentinel', 300);
      await store.orders.put('o-1', { fid: 42 });
      await eventually(
        () => store.orders.get('o-sentinel'),
        (v) => v === undefined,
      );
      expect(await store.orders.get('o-1')).toEqual({ fid: 42 });
    });
  });
}

export function auditContract(ctx: ContractContext): void {
  describe('audit', () => {
    it('keeps only the newest records up to its limit, newest first', async () => {
      const { store } = await ctx.fresh({ auditLimit: 5 });
      await store.audit.append([1, 2, 3].map((n) => apiCall(n)));
      await store.audit.append([4, 5, 6, 7, 8].map((n) => apiCall(n)));
      const recent = await store.audit.recent(100);
      expect(recent.map((r) => r.operation)).toEqual(['op-8', 'op-7', 'op-6', 'op-5', 'op-4']);
      expect(recent[0]).toEqual(apiCall(8));
      expect((await store.audit.recent(2)).map((r) => r.operation)).toEqual(['op-8', 'op-7']);
    });

    it('filters by system and outcome', async () => {
      const { store } = await ctx.fresh();
      await store.audit.append([
        apiCall(1, { system: 'okki', operation: 'receipt.list' }),
        apiCall(2, { outcome: 'timeout', errorCode: 'transport.timeout', message: 'no answer in 120000 ms' }),
        apiCall(3, { system: 'okki', operation: 'receipt.info', outcome: 'rate-limited' }),
        apiCall(4),
      ]);
      expect((await store.audit.recent(10, { system: 'okki' })).map((r) => r.operation)).toEqual([
        'receipt.info',
        'receipt.list',
      ]);
      expect(await store.audit.recent(10, { system: 'k3cloud', outcome: 'timeout' })).toEqual([
        apiCall(2, { outcome: 'timeout', errorCode: 'transport.timeout', message: 'no answer in 120000 ms' }),
      ]);
    });

    it('lists the calls about one receipt or order, newest first, bounded per subject', async () => {
      const { store } = await ctx.fresh({ auditLimit: 5 });
      await store.audit.append([
        apiCall(1, { operation: 'receipt.info', system: 'okki', subjects: ['5221565013'] }),
        apiCall(2, { operation: 'ExecuteBillQuery', subjects: ['3564000001', '3564000002'] }),
        apiCall(3),
      ]);
      await store.audit.append([
        apiCall(4, { operation: 'BatchSave', outcome: 'timeout', subjects: ['5221565013', '3564000001'] }),
      ]);
      expect((await store.audit.forSubject('5221565013')).map((r) => r.operation)).toEqual([
        'BatchSave',
        'receipt.info',
      ]);
      expect((await store.audit.forSubject('3564000001', 1)).map((r) => r.operation)).toEqual(['BatchSave']);
      expect((await store.audit.forSubject('5221565013'))[0]).toEqual(
        apiCall(4, { operation: 'BatchSave', outcome: 'timeout' }),
      );
      // The log itself keeps the subjects.
      expect((await store.audit.recent(1))[0]?.subjects).toEqual(['5221565013', '3564000001']);
      expect(await store.audit.forSubject('404')).toEqual([]);
    });

    it('buffers sink records until flushed, and flushes on close', async () => {
      const { store, prefix } = await ctx.fresh();
      const sink = store.audit.sink();
      expect(store.audit.sink()).toBe(sink);
      sink.record(apiCall(1));
      sink.record(apiCall(2));
      await sink.flush();
      expect((await store.audit.recent(10)).map((r) => r.operation)).toEqual(['op-2', 'op-1']);
      expect(sink.stats()).toEqual({ buffered: 0, dropped: 0, written: 2, failedWrites: 0 });

      const replica = await ctx.replica(prefix);
      replica.audit.sink().record(apiCall(3));
      await replica.close();
      expect((await store.audit.recent(10)).map((r) => r.operation)).toEqual(['op-3', 'op-2', 'op-1']);
    });
  });
}
