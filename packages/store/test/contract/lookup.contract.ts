import type { SyncStore } from '../../src';
import type { ContractContext } from './context';

const V1 = '2025-04-15 10:00:00';
const V2 = '2025-04-15 11:00:00';
const t = (minute: number) => new Date(Date.UTC(2025, 3, 15, 2, minute));

async function fail(
  store: SyncStore,
  id: string,
  status: 'dead-lettered' | 'quarantined',
  code: string,
  minute: number,
  orderId = 'o-1',
): Promise<void> {
  await store.ledger.recordOutcome(id, {
    status,
    receiptNo: `HK${id}`,
    orderId,
    sourceVersion: V1,
    deadLetterId: `dl-ready-${id}`,
    lastError: { code, message: `receipt HK${id} failed`, at: t(minute) },
  });
}

export function lookupContract(ctx: ContractContext): void {
  describe('lookups', () => {
    it('finds a receipt by its receipt number, following a renumbering', async () => {
      const { store } = await ctx.fresh();
      await store.ledger.recordOutcome('7001', { status: 'pending', receiptNo: 'HK-A', orderId: 'o-1' });
      await store.ledger.recordOutcome('7002', { status: 'pending', receiptNo: 'HK-B', orderId: 'o-1' });
      expect((await store.ledger.findByReceiptNo('HK-A')).map((e) => e.receiptId)).toEqual(['7001']);
      await store.ledger.recordOutcome('7001', { status: 'pending', receiptNo: 'HK-C' });
      expect(await store.ledger.findByReceiptNo('HK-A')).toEqual([]);
      expect((await store.ledger.findByReceiptNo('HK-C')).map((e) => e.receiptId)).toEqual(['7001']);
      expect(await store.ledger.findByReceiptNo('')).toEqual([]);
    });

    it('finds the OKKI order id of a K3Cloud order number, also after the cached lookup expired', async () => {
      const { store } = await ctx.fresh();
      await store.orders.put('o-1', { fid: 100001, billNo: 'XSDD000001' }, 300);
      await store.orders.put('o-2', { fid: 100002 });
      expect(await store.orders.findByBillNo('XSDD000001')).toBe('o-1');
      expect(await store.orders.findByBillNo('XSDD000404')).toBeUndefined();
      await store.orders.putMiss('o-1', 60_000);
      expect(await store.orders.findByBillNo('XSDD000001')).toBe('o-1');
    });

    it('pages dead letters and quarantine newest first, filtered by code, order and date, with exact totals', async () => {
      const { store } = await ctx.fresh();
      for (let i = 0; i < 7; i += 1) await fail(store, `d${i}`, 'dead-lettered', i % 2 ? 'a.odd' : 'b.even', i);
      await fail(store, 'q0', 'quarantined', 'input.invalid', 9, 'o-2');
      await fail(store, 'd7', 'dead-lettered', 'a.odd', 8, 'o-2');

      const first = await store.ledger.failures({ status: 'dead-lettered', limit: 3 });
      expect(first.total).toBe(8);
      expect(first.entries.map((e) => e.receiptId)).toEqual(['d7', 'd6', 'd5']);
      expect(first.entries[0]).toMatchObject({ failedAt: t(8), deadLetterId: 'dl-ready-d7' });
      const second = await store.ledger.failures({ status: 'dead-lettered', limit: 3, offset: 3 });
      expect(second.entries.map((e) => e.receiptId)).toEqual(['d4', 'd3', 'd2']);

      const odd = await store.ledger.failures({ status: 'dead-lettered', code: 'a.odd' });
      expect(odd.total).toBe(4);
      expect(odd.entries.map((e) => e.receiptId)).toEqual(['d7', 'd5', 'd3', 'd1']);
      const dated = await store.ledger.failures({ status: 'dead-lettered', code: 'a.odd', from: t(2), to: t(5) });
      expect(dated.entries.map((e) => e.receiptId)).toEqual(['d5', 'd3']);
      expect(dated.total).toBe(2);
      const byOrder = await store.ledger.failures({ status: 'dead-lettered', orderId: 'o-2' });
      expect(byOrder).toMatchObject({ total: 1, entries: [{ receiptId: 'd7' }] });
      const quarantine = await store.ledger.failures({ status: 'quarantined' });
      expect(quarantine.entries.map((e) => e.receiptId)).toEqual(['q0']);

      // Replayed and written: it leaves every failure list at once, and loses its dead-letter id.
      await store.ledger.recordWritten({
        receiptId: 'd7',
        receiptNo: 'HKd7',
        orderId: 'o-2',
        sourceVersion: V2,
        removed: false,
        contentHash: 'h',
        k3Fid: 1,
        k3EntryId: 2,
        fields: { F_Amount: 12.5 },
      });
      expect((await store.ledger.failures({ status: 'dead-lettered', code: 'a.odd' })).total).toBe(3);
      expect((await store.ledger.failures({ status: 'dead-lettered', orderId: 'o-2' })).total).toBe(0);
      const d7 = await store.ledger.get('d7');
      expect(d7).toMatchObject({ status: 'written', writtenFields: { F_Amount: 12.5 } });
      expect(d7?.failedAt).toBeUndefined();
      expect(d7?.deadLetterId).toBeUndefined();
    });

    it('indexes entries stored before the indexes existed once reindexed', async () => {
      const { store, prefix } = await ctx.fresh();
      await ctx.backend.plantLegacyEntry(prefix, {
        receiptId: '8001',
        receiptNo: 'HK202504158001',
        orderId: '3564000001',
        sourceVersion: V1,
        removed: false,
        status: 'dead-lettered',
        lastError: { code: 'k3cloud.save-failed', message: 'receipt HK202504158001 refused', at: t(4).toISOString() },
        attempts: 10,
        updatedAt: t(5).toISOString(),
      });
      await store.ledger.recordOutcome('8002', { status: 'pending', receiptNo: 'HK202504158002' });
      // Redis keeps its own secondary indexes, which only a reindex fills for such an entry; MongoDB's
      // indexes are the server's and find it at once.
      if (ctx.backend.name === 'redis') expect(await store.ledger.findByReceiptNo('HK202504158001')).toEqual([]);
      const seen: number[] = [];
      expect(await store.ledger.reindex((n) => seen.push(n))).toBe(2);
      expect(seen).toEqual([2]);
      expect((await store.ledger.findByReceiptNo('HK202504158001')).map((e) => e.receiptId)).toEqual(['8001']);
      const failed = await store.ledger.failures({ status: 'dead-lettered', code: 'k3cloud.save-failed' });
      expect(failed).toMatchObject({ total: 1, entries: [{ receiptId: '8001', failedAt: t(4) }] });
      expect((await store.ledger.latestErrors(5)).map((g) => [g.template, g.count])).toEqual([
        ['receipt # refused', 1],
      ]);
      expect(await store.ledger.reindex()).toBe(2);
      expect((await store.ledger.failures({ status: 'dead-lettered' })).total).toBe(1);
    });

    it('keeps every index exact under concurrent writes to the same receipts', async () => {
      const { store, prefix } = await ctx.fresh();
      const replica = await ctx.replica(prefix);
      const codes = ['a.one', 'b.two', 'c.three'];
      const statuses = ['pending', 'dead-lettered', 'quarantined', 'written'] as const;
      let seed = 7;
      const next = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
      const writes = Array.from({ length: 300 }, (_, i) => {
        const id = `c${next(20)}`;
        const status = statuses[next(4)]!;
        const ledger = i % 2 ? store.ledger : replica.ledger;
        if (status === 'written')
          return ledger.recordWritten({
            receiptId: id,
            receiptNo: `HK2025${id}`,
            orderId: `o${next(3)}`,
            sourceVersion: V1,
            removed: false,
            contentHash: 'h',
            k3Fid: 1,
            k3EntryId: 1,
          });
        return ledger.recordOutcome(id, {
          status,
          receiptNo: `HK2025${id}`,
          orderId: `o${next(3)}`,
          deadLetterId: status === 'pending' ? undefined : `dl-${id}`,
          lastError: { code: codes[next(3)]!, message: `receipt HK2025${id} failed`, at: t(next(50)) },
        });
      });
      await Promise.all(writes);
      const all = await store.ledger.list({ limit: 1000 });
      for (const status of ['dead-lettered', 'quarantined'] as const) {
        const failed = all.filter((e) => e.status === status);
        expect((await store.ledger.failures({ status })).total).toBe(failed.length);
        for (const code of codes)
          expect((await store.ledger.failures({ status, code })).total).toBe(
            failed.filter((e) => e.lastError?.code === code).length,
          );
        expect((await store.ledger.failures({ status, orderId: 'o1' })).total).toBe(
          failed.filter((e) => e.orderId === 'o1').length,
        );
      }
      const errored = all.filter((e) => e.lastError !== undefined);
      const groups = await store.ledger.latestErrors(100);
      expect(groups.reduce((n, g) => n + g.count, 0)).toBe(errored.length);
      for (const e of all)
        expect((await store.ledger.findByReceiptNo(e.receiptNo)).map((x) => x.receiptId)).toEqual([e.receiptId]);
    });

    it('keeps every version of a receipt once, newest first, with how it arrived', async () => {
      const { store } = await ctx.fresh();
      const seen = new Date('2025-04-15T02:00:00Z');
      await store.history.record([
        { receiptId: '9001', updateTime: V1, removed: false, source: 'window', windowId: 'w-1', seenAt: seen },
        { receiptId: '9001', updateTime: V2, removed: false, source: 'push' },
        { receiptId: '9002', updateTime: V1, removed: false, source: 'window' },
      ]);
      await store.history.record([
        { receiptId: '9001', updateTime: V1, removed: false, source: 'push', seenAt: new Date() },
        { receiptId: '9001', updateTime: V2, removed: true, source: 'window', windowId: 'w-2' },
      ]);
      const versions = await store.history.list('9001');
      expect(versions.map((v) => [v.updateTime, v.removed, v.source])).toEqual([
        [V2, true, 'window'],
        [V2, false, 'push'],
        [V1, false, 'window'],
      ]);
      expect(versions[2]).toEqual({
        receiptId: '9001',
        updateTime: V1,
        removed: false,
        source: 'window',
        windowId: 'w-1',
        seenAt: seen,
      });
      expect(await store.history.list('404')).toEqual([]);
      await expect(
        store.history.record([{ receiptId: '9003', updateTime: 'yesterday', removed: false, source: 'window' }]),
      ).rejects.toThrow(/updateTime/);
    });
  });
}
