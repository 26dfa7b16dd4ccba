import type { WrittenRecord } from '../../src';
import type { ContractContext } from './context';

const V1 = '2025-04-15 10:00:00';
const V2 = '2025-04-15 11:00:00';

function written(receiptId: string, over: Partial<WrittenRecord> = {}): WrittenRecord {
  return {
    receiptId,
    receiptNo: `SK-${receiptId}`,
    orderId: 'o-1',
    sourceVersion: V1,
    removed: false,
    contentHash: `h-${receiptId}`,
    k3Fid: 100,
    k3EntryId: 1000,
    ...over,
  };
}

export function ledgerContract(ctx: ContractContext): void {
  describe('ledger', () => {
    it('settles a touch only while the entry still holds that content on that order', async () => {
      const { store } = await ctx.fresh();
      const ledger = store.ledger;
      const touch = { orderId: 'o-1', contentHash: 'h-301', sourceVersion: V2, removed: false };
      expect(await ledger.settleUnchanged('301', touch)).toBe(false); // never written
      await ledger.recordWritten(written('301'));
      expect(await ledger.settleUnchanged('301', { ...touch, contentHash: 'h-other' })).toBe(false);
      expect(await ledger.settleUnchanged('301', { ...touch, orderId: 'o-2' })).toBe(false);
      // Another version on its way to K3Cloud (edits A → B → A): the touch goes to the writer.
      await ledger.recordOutcome('301', { status: 'pending', sourceVersion: V2 });
      expect(await ledger.settleUnchanged('301', touch)).toBe(false);
      expect(await ledger.get('301')).toMatchObject({ status: 'pending', sourceVersion: V2 });

      await ledger.recordWritten(written('302'));
      expect(await ledger.settleUnchanged('302', touch)).toBe(false); // other content: h-302
      expect(await ledger.settleUnchanged('302', { ...touch, contentHash: 'h-302', sourceDigest: 'd2' })).toBe(true);
      expect(await ledger.get('302')).toMatchObject({
        status: 'written',
        sourceVersion: V2,
        sourceDigest: 'd2',
        contentHash: 'h-302',
        k3Fid: 100,
        k3EntryId: 1000,
      });
      // An older version never settles over a newer one.
      expect(await ledger.settleUnchanged('302', { ...touch, contentHash: 'h-302', sourceVersion: V1 })).toBe(false);
    });

    it('upserts outcomes, counts attempts, and clears the error once written', async () => {
      const { store } = await ctx.fresh();
      const ledger = store.ledger;
      expect(await ledger.get('101')).toBeUndefined();
      expect(await ledger.incrementAttempts('101')).toBe(1);
      const at = new Date('2025-04-15T03:00:00Z');
      await ledger.recordOutcome('101', {
        status: 'pending',
        receiptNo: 'SK-101',
        orderId: 'o-9',
        sourceVersion: V1,
        lastError: { code: 'k3cloud.order-not-found', message: 'sales order not found in K3Cloud', at },
      });
      expect(await ledger.incrementAttempts('101')).toBe(2);
      expect(await ledger.get('101')).toMatchObject({
        receiptId: '101',
        receiptNo: 'SK-101',
        orderId: 'o-9',
        sourceVersion: V1,
        removed: false,
        status: 'pending',
        attempts: 2,
        lastError: { code: 'k3cloud.order-not-found', message: 'sales order not found in K3Cloud', at },
      });
      await ledger.recordWritten(written('101', { orderId: 'o-9', contentHash: 'abc', k3Fid: 7, k3EntryId: 70 }));
      const entry = await ledger.get('101');
      expect(entry).toMatchObject({ status: 'written', contentHash: 'abc', k3Fid: 7, k3EntryId: 70, attempts: 2 });
      expect(entry?.lastError).toBeUndefined();
      expect(entry?.writtenAt).toBeInstanceOf(Date);
      await ledger.recordOutcome('101', { status: 'unchanged', sourceVersion: V2 });
      expect(await ledger.get('101')).toMatchObject({ status: 'unchanged', sourceVersion: V2, contentHash: 'abc' });
    });

    it('lists pending entries not updated since a time, oldest first, and drops them once settled', async () => {
      const { store } = await ctx.fresh();
      const ledger = store.ledger;
      await ledger.recordOutcome('302', { status: 'pending', sourceVersion: V1 });
      await ledger.recordOutcome('301', { status: 'pending', sourceVersion: V1 });
      await ledger.recordWritten(written('303'));
      await ledger.recordOutcome('304', { status: 'dead-lettered', sourceVersion: V1 });
      const all = await ledger.stalePending(new Date(Date.now() + 60_000), 10);
      expect(all.map((e) => e.receiptId).sort()).toEqual(['301', '302']);
      expect(all[0]!.updatedAt.getTime()).toBeLessThanOrEqual(all[1]!.updatedAt.getTime());
      const first = all[0]!;
      // Only entries updated strictly before the time are stale.
      expect(await ledger.stalePending(first.updatedAt, 10)).toEqual([]);
      const before = new Date(first.updatedAt.getTime() + 1);
      expect((await ledger.stalePending(before, 10)).map((e) => e.receiptId)).toEqual(
        all.filter((e) => e.updatedAt < before).map((e) => e.receiptId),
      );
      expect(await ledger.stalePending(new Date(Date.now() + 60_000), 1)).toHaveLength(1);
      await ledger.recordWritten(written('301'));
      await ledger.recordOutcome('302', { status: 'quarantined', sourceVersion: V1 });
      expect(await ledger.stalePending(new Date(Date.now() + 60_000), 10)).toEqual([]);
    });

    it('never regresses to an older source version', async () => {
      const { store } = await ctx.fresh();
      const ledger = store.ledger;
      await ledger.recordWritten(
        written('201', { sourceVersion: V2, contentHash: 'new', removed: true, k3EntryId: 2 }),
      );
      await ledger.recordWritten(
        written('201', { sourceVersion: V1, contentHash: 'old', removed: false, k3EntryId: 1 }),
      );
      await ledger.recordOutcome('201', {
        status: 'quarantined',
        sourceVersion: V1,
        lastError: { code: 'receipt.quarantined', message: 'stale' },
      });
      expect(await ledger.get('201')).toMatchObject({
        sourceVersion: V2,
        contentHash: 'new',
        removed: true,
        status: 'written',
        k3EntryId: 2,
      });
      expect((await ledger.get('201'))?.lastError).toBeUndefined();

      // A newer version is pending when an older job's write lands: the row ids are learnt, nothing else.
      await ledger.recordOutcome('202', { status: 'pending', receiptNo: 'SK-202', orderId: 'o-1', sourceVersion: V2 });
      await ledger.recordWritten(written('202', { sourceVersion: V1, contentHash: 'old', k3Fid: 5, k3EntryId: 55 }));
      const entry = await ledger.get('202');
      expect(entry).toMatchObject({ sourceVersion: V2, status: 'pending', k3Fid: 5, k3EntryId: 55 });
      expect(entry?.contentHash).toBeUndefined();
    });

    it('lets a removal win a tie: an active version of the same second never replaces it', async () => {
      const { store } = await ctx.fresh();
      const ledger = store.ledger;
      // Removed in OKKI before anything was written (a tombstone): the active version of that second is stale.
      await ledger.recordOutcome('251', { status: 'unchanged', sourceVersion: V1, removed: true });
      await ledger.recordOutcome('251', { status: 'pending', sourceVersion: V1, removed: false });
      expect(await ledger.get('251')).toMatchObject({ status: 'unchanged', removed: true, sourceVersion: V1 });
      await ledger.recordWritten(written('251', { sourceVersion: V1, removed: false, k3Fid: 7, k3EntryId: 70 }));
      // The write is stale: only the row's ids are learnt, so the row can still be flagged.
      expect(await ledger.get('251')).toMatchObject({ removed: true, status: 'unchanged', k3Fid: 7, k3EntryId: 70 });
      // A removal of the same second as a written active version replaces it.
      await ledger.recordWritten(written('252', { sourceVersion: V1, removed: false, sourceDigest: 'a' }));
      await ledger.recordWritten(written('252', { sourceVersion: V1, removed: true, sourceDigest: 'a' }));
      expect(await ledger.get('252')).toMatchObject({ removed: true, status: 'written' });
    });

    it('keeps the OKKI content digest of the version it records, and forgets it with a new version', async () => {
      const { store } = await ctx.fresh();
      const ledger = store.ledger;
      await ledger.recordWritten(written('261', { sourceVersion: V1, sourceDigest: 'first' }));
      // A second edit within the same second: same stamp, other content, a newer version all the same.
      await ledger.recordWritten(written('261', { sourceVersion: V1, sourceDigest: 'second', contentHash: 'h2' }));
      expect(await ledger.get('261')).toMatchObject({ sourceDigest: 'second', contentHash: 'h2' });
      await ledger.recordOutcome('261', { status: 'pending', sourceVersion: V2 });
      expect((await ledger.get('261'))?.sourceDigest).toBeUndefined();
      await ledger.recordOutcome('261', { status: 'unchanged', sourceVersion: V2, sourceDigest: 'third' });
      expect(await ledger.get('261')).toMatchObject({ sourceVersion: V2, sourceDigest: 'third' });
    });

    it('loads many entries at once, omitting unknown ids', async () => {
      const { store } = await ctx.fresh();
      await store.ledger.recordWritten(written('301'));
      await store.ledger.recordOutcome('302', { status: 'quarantined' });
      const found = await store.ledger.getMany(['301', '302', '399', '301']);
      expect([...found.keys()].sort()).toEqual(['301', '302']);
      expect(found.get('302')?.status).toBe('quarantined');
      expect((await store.ledger.getMany([])).size).toBe(0);
    });

    it('counts every status, moving an entry between counts as its status changes', async () => {
      const { store } = await ctx.fresh();
      await store.ledger.recordOutcome('1', { status: 'pending' });
      await store.ledger.recordOutcome('2', { status: 'quarantined' });
      await store.ledger.recordOutcome('3', { status: 'dead-lettered' });
      await store.ledger.recordWritten(written('4'));
      await store.ledger.recordWritten(written('1'));
      expect(await store.ledger.countByStatus()).toEqual({
        pending: 0,
        written: 2,
        unchanged: 0,
        quarantined: 1,
        'dead-lettered': 1,
      });
    });

    it('pages through entries in receiptId order with a cursor, filtered by status and order', async () => {
      const { store } = await ctx.fresh();
      const ids = ['p05', 'p01', 'p07', 'p03', 'p02', 'p06', 'p04'];
      for (const id of ids) {
        const n = Number(id.slice(1));
        if (n % 2) await store.ledger.recordWritten(written(id, { orderId: n < 4 ? 'o-a' : 'o-b' }));
        else await store.ledger.recordOutcome(id, { status: 'quarantined', orderId: 'o-a' });
      }
      const pages: string[][] = [];
      let after: string | undefined;
      for (;;) {
        const page = await store.ledger.list({ limit: 3, after });
        if (page.length === 0) break;
        pages.push(page.map((e) => e.receiptId));
        after = page[page.length - 1]?.receiptId;
      }
      expect(pages).toEqual([['p01', 'p02', 'p03'], ['p04', 'p05', 'p06'], ['p07']]);
      expect((await store.ledger.list({ status: 'written' })).map((e) => e.receiptId)).toEqual([
        'p01',
        'p03',
        'p05',
        'p07',
      ]);
      expect((await store.ledger.list({ status: 'written', after: 'p03', limit: 1 })).map((e) => e.receiptId)).toEqual([
        'p05',
      ]);
      expect((await store.ledger.list({ orderId: 'o-a' })).map((e) => e.receiptId)).toEqual([
        'p01',
        'p02',
        'p03',
        'p04',
        'p06',
      ]);
      expect((await store.ledger.list({ orderId: 'o-a', status: 'written' })).map((e) => e.receiptId)).toEqual([
        'p01',
        'p03',
      ]);
      // A receipt re-pointed to another order leaves the old order's listing.
      await store.ledger.recordOutcome('p02', { status: 'quarantined', orderId: 'o-b' });
      expect((await store.ledger.list({ orderId: 'o-a', status: 'quarantined' })).map((e) => e.receiptId)).toEqual([
        'p04',
        'p06',
      ]);
    });

    it('groups current errors by cause (code + reason without receipt-specific parts), exact counts', async () => {
      const { store } = await ctx.fresh();
      const noOrder = (n: string) => ({
        code: 'k3cloud.order-not-found',
        message: `receipt HK20250415000${n}: receipt has no sales order`,
      });
      const bad = { code: 'receipt.quarantined', message: 'amount is missing' };
      const t = (minute: number) => new Date(Date.UTC(2025, 3, 15, 2, minute));
      await store.ledger.recordOutcome('e1', { status: 'pending', lastError: { ...noOrder('1'), at: t(1) } });
      await store.ledger.recordOutcome('e2', { status: 'pending', lastError: { ...noOrder('2'), at: t(3) } });
      await store.ledger.recordOutcome('e3', { status: 'dead-lettered', lastError: { ...noOrder('3'), at: t(2) } });
      await store.ledger.recordOutcome('e4', { status: 'quarantined', lastError: { ...bad, at: t(5) } });
      await store.ledger.recordOutcome('e5', {
        status: 'pending',
        lastError: { code: 'k3cloud.order-not-found', message: 'other text', at: t(0) },
      });
      const groups = await store.ledger.latestErrors(10);
      expect(groups.map(({ cause: _c, ...g }) => g)).toEqual([
        { ...bad, template: 'amount is missing', count: 1, firstAt: t(5), lastAt: t(5), sampleReceiptIds: ['e4'] },
        {
          code: 'k3cloud.order-not-found',
          template: 'receipt #: receipt has no sales order',
          message: 'receipt HK202504150002: receipt has no sales order',
          count: 3,
          firstAt: t(1),
          lastAt: t(3),
          sampleReceiptIds: ['e2', 'e3', 'e1'],
        },
        {
          code: 'k3cloud.order-not-found',
          template: 'other text',
          message: 'other text',
          count: 1,
          firstAt: t(0),
          lastAt: t(0),
          sampleReceiptIds: ['e5'],
        },
      ]);
      const cause = groups[1]!.cause;
      expect((await store.ledger.get('e1'))?.lastError?.cause).toBe(cause);
      const page = await store.ledger.causeEntries(cause, { offset: 1, limit: 1 });
      expect(page.total).toBe(3);
      expect(page.entries.map((e) => e.receiptId)).toEqual(['e3']);

      await store.ledger.recordWritten(written('e2'));
      const after = await store.ledger.latestErrors(2);
      expect(after).toHaveLength(2);
      expect(after[1]).toMatchObject({ cause, count: 2, firstAt: t(1), lastAt: t(2), sampleReceiptIds: ['e3', 'e1'] });
      // Once nothing fails for a cause, it leaves the list.
      await store.ledger.recordWritten(written('e4'));
      expect((await store.ledger.latestErrors(10)).map((g) => g.code)).toEqual([
        'k3cloud.order-not-found',
        'k3cloud.order-not-found',
      ]);
    });

    it('rejects a write that would corrupt the ledger, naming the field', async () => {
      const { store } = await ctx.fresh();
      await expect(store.ledger.recordWritten(written('401', { sourceVersion: '15/04/2025' }))).rejects.toThrow(
        /sourceVersion/,
      );
      await expect(store.ledger.recordWritten(written('401', { k3EntryId: 0 }))).rejects.toThrow(/k3EntryId/);
      expect(await store.ledger.get('401')).toBeUndefined();
    });
  });
}
