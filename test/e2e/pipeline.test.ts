import { randomUUID } from 'node:crypto';
import { startDemoEnvironment } from '@receipt-sync/simulators';
import { mutateReceipt, createRng } from '@receipt-sync/simulators';
import { syncOnce } from '@receipt-sync/pipeline';
import { assertExactlyOnce, expectedOutcome, foreignRows, snapshotK3 } from './expectations';
import { cleanPrefix, envFor } from './helpers';
import { describeOnStores } from './store-backends';

describeOnStores('pipeline end to end: OKKI simulator → raw → ready → K3Cloud simulator', (store) => {
  const prefixes: string[] = [];
  afterAll(async () => {
    for (const p of prefixes) await cleanPrefix(p);
  });

  it('writes every receipt exactly once, then applies edits, removals and new receipts in place', async () => {
    const demo = await startDemoEnvironment({ seed: 7, receipts: 300, orders: 60 });
    const prefix = `e2e-${randomUUID().slice(0, 8)}`;
    prefixes.push(prefix);
    try {
      const before = foreignRows(demo, snapshotK3(demo));
      const first = await syncOnce(envFor(demo, prefix, store.env));
      const expected = expectedOutcome(demo);
      const snap = snapshotK3(demo);
      assertExactlyOnce(demo, snap, expected);
      expect(foreignRows(demo, snap)).toEqual(before);
      expect(first.fetched).toBe(300);
      expect(first.written).toBe(expected.written.size);
      expect(first.quarantined).toBe(expected.noOrder.length);
      expect(first.deadLettered).toBe(expected.missingOrder.length);
      expect(first.written + first.unchanged + first.quarantined + first.deadLettered).toBe(first.fetched);

      // Second cycle: edit 20, remove 10 written ones, add 15 new receipts on existing orders.
      const rng = createRng(99);
      const active = demo.okki
        .allReceipts({ removed: false })
        .filter((r) => expected.written.has(r.cash_collection_no));
      const edited = active.slice(0, 20).map((r) => demo.okki.upsertReceipt(mutateReceipt(r, rng)));
      const removed = active.slice(20, 30);
      for (const r of removed) demo.okki.removeReceipt(r.cash_collection_id);
      const template = active[40]!;
      const added = Array.from({ length: 15 }, (_, i) =>
        demo.okki.upsertReceipt({
          ...template,
          cash_collection_id: 9_000_000_000 + i,
          cash_collection_no: `HKNEW${i}`,
        }),
      );
      const second = await syncOnce(envFor(demo, prefix, store.env));
      const snap2 = snapshotK3(demo);
      const expected2 = expectedOutcome(demo);
      assertExactlyOnce(demo, snap2, expected2);
      expect(foreignRows(demo, snap2)).toEqual(before);
      for (const r of removed) {
        const rows = snap2.rowsByNo.get(r.cash_collection_no) ?? [];
        expect(rows).toHaveLength(1);
        expect(rows[0]!.row.F_PBLH_Removed).toBe(true);
      }
      for (const r of [...edited, ...added]) expect(snap2.rowsByNo.get(r.cash_collection_no)).toHaveLength(1);
      expect(second.written).toBe(edited.length + removed.length + added.length);
      expect(second.windowStart < second.windowEnd).toBe(true);
    } finally {
      await demo.close();
    }
  }, 180_000);

  it('stays exactly-once under 429s, 5xx, page drift, session loss, conflicts and ambiguous failures', async () => {
    const demo = await startDemoEnvironment({
      seed: 11,
      receipts: 250,
      orders: 40,
      okkiFaults: {
        latencyMs: 2,
        rateLimit: { maxPerSecond: 20 },
        errorRate: 0.05,
        pageDrift: { afterPage: 1, updateCount: 5, times: 3 },
      },
      k3Faults: {
        latencyMs: 5,
        sessionExpiryRate: 0.05,
        networkControlRate: 0.05,
        callLimitRate: 0.03,
        ambiguousRate: 0.08,
      },
    });
    const prefix = `e2e-${randomUUID().slice(0, 8)}`;
    prefixes.push(prefix);
    try {
      const before = foreignRows(demo, snapshotK3(demo));
      await syncOnce(envFor(demo, prefix, { ...store.env, XIAOMAN_PAGE_SIZE: '50', XIAOMAN_MAX_RPS: '100' }));
      // Receipts touched by page drift got update_time = now: a second cycle picks them up.
      await syncOnce(envFor(demo, prefix, { ...store.env, XIAOMAN_PAGE_SIZE: '50', XIAOMAN_MAX_RPS: '100' }));
      const snap = snapshotK3(demo);
      assertExactlyOnce(demo, snap, expectedOutcome(demo));
      expect(foreignRows(demo, snap)).toEqual(before);
      expect(demo.k3.stats.ambiguousDrops).toBeGreaterThan(0);
      expect(demo.okki.stats.rateLimited).toBeGreaterThan(0);
    } finally {
      await demo.close();
    }
  }, 240_000);
});
