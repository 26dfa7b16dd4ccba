import { randomUUID } from 'node:crypto';
import { startDemoEnvironment } from '@receipt-sync/simulators';
import { syncOnce } from '@receipt-sync/pipeline';
import { assertExactlyOnce, expectedOutcome, foreignRows, snapshotK3 } from './expectations';
import { cleanPrefix, envFor } from './helpers';
import { describeOnStores } from './store-backends';

describeOnStores('fault storms', (store) => {
  // On the MongoDB-wire test server (FerretDB on SQLite) each page's and batch's bookkeeping is slower, so pages
  // reach OKKI less often and batches fill fuller; a lower OKKI limit and smaller batches keep the storms as strong.
  const slowStore = store.name === 'mongodb';
  it('K3Cloud at high fault rates: every third save ambiguous, conflicts and session loss — still exactly once, nothing unaccounted', async () => {
    const demo = await startDemoEnvironment({
      seed: 41,
      receipts: 200,
      orders: 30,
      k3Faults: {
        latencyMs: 3,
        ambiguousRate: 0.3,
        networkControlRate: 0.2,
        sessionExpiryRate: 0.2,
        callLimitRate: 0.05,
      },
    });
    const prefix = `e2e-storm-${randomUUID().slice(0, 8)}`;
    try {
      const before = foreignRows(demo, snapshotK3(demo));
      // Ten attempts per row; a lost BatchSave answer spends none when the read after it finds the save applied.
      const summary = await syncOnce(
        envFor(demo, prefix, { ...store.env, KINGDEE_BATCH_SIZE: slowStore ? '6' : '15' }),
      );
      const snap = snapshotK3(demo);
      const expected = expectedOutcome(demo);
      assertExactlyOnce(demo, snap, expected);
      expect(foreignRows(demo, snap)).toEqual(before);
      expect(demo.k3.stats.ambiguousDrops).toBeGreaterThan(5);
      expect(demo.k3.stats.sessionLost).toBeGreaterThan(0);
      expect(summary.written + summary.unchanged + summary.quarantined + summary.deadLettered).toBe(summary.fetched);
      expect(summary.deadLettered).toBe(expected.missingOrder.length);
    } finally {
      await demo.close();
      await cleanPrefix(prefix);
    }
  }, 240_000);

  it('OKKI 429 storm and repeated page drift: every receipt of the window arrives once', async () => {
    const demo = await startDemoEnvironment({
      seed: 43,
      receipts: 200,
      orders: 30,
      okkiFaults: {
        rateLimit: { maxPerSecond: slowStore ? 3 : 10 },
        pageDrift: { afterPage: 2, updateCount: 4, times: 4 },
      },
    });
    const prefix = `e2e-storm-${randomUUID().slice(0, 8)}`;
    try {
      const env = envFor(demo, prefix, {
        ...store.env,
        XIAOMAN_PAGE_SIZE: '25',
        XIAOMAN_MAX_RPS: '100',
        XIAOMAN_ENRICH_BANK: 'false',
      });
      await syncOnce(env);
      await syncOnce(env); // drifted receipts carry update_time = now and belong to the next window
      const snap = snapshotK3(demo);
      const expected = expectedOutcome(demo);
      for (const [no] of expected.written) expect(snap.rowsByNo.get(no)).toHaveLength(1);
      expect(demo.okki.stats.rateLimited).toBeGreaterThan(0);
      expect(demo.okki.stats.driftEvents).toBeGreaterThan(0);
    } finally {
      await demo.close();
      await cleanPrefix(prefix);
    }
  }, 240_000);
});
