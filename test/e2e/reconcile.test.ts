import { randomUUID } from 'node:crypto';
import { formatChinaTime } from '@receipt-sync/core';
import { loadConfig } from '@receipt-sync/core';
import { startDemoEnvironment } from '@receipt-sync/simulators';
import { createRuntime } from '@receipt-sync/pipeline';
import { fixReconcile, reconcile } from '@receipt-sync/reconcile';
import { syncOnce } from '@receipt-sync/pipeline';
import { assertExactlyOnce, expectedOutcome, snapshotK3 } from './expectations';
import { cleanPrefix, envFor } from './helpers';

describe('reconcile against the simulators', () => {
  it('finds a row someone edited in K3Cloud, and --fix puts the receipt back to its OKKI values', async () => {
    const demo = await startDemoEnvironment({ seed: 53, receipts: 120, orders: 25 });
    const prefix = `e2e-rec-${randomUUID().slice(0, 8)}`;
    const env = envFor(demo, prefix);
    const rt = await createRuntime(loadConfig(env), { name: 'reconcile-test', needsOkki: true, needsK3: true });
    try {
      await syncOnce(env);
      const window = { from: '2025-04-01 00:00:00', to: formatChinaTime(new Date()) };
      const deps = { source: rt.okki!, k3: rt.k3!, ledger: rt.store.ledger, mapping: rt.mapping, info: rt.okki! };
      const clean = await reconcile(deps, window);
      expect(clean.findings).toEqual([]);

      // A user changes the received amount of one synced row by hand in K3Cloud.
      const [no, fid] = [...expectedOutcome(demo).written][0]!;
      const row = snapshotK3(demo).rowsByNo.get(no)![0]!.row;
      await rt.k3!.save(
        'SAL_SaleOrder',
        { FID: fid, F_PBLH_Entity: [{ FEntryID: row.FEntryID, F_PBLH_Decimal: '1.00' }] },
        { isDeleteEntry: false },
      );

      const report = await reconcile(deps, window);
      expect(report.findings).toHaveLength(1);
      expect(report.findings[0]).toMatchObject({ category: 'stale', receiptNo: no, fid });
      const fixed = await fixReconcile({ queues: rt.queues, ledger: rt.store.ledger }, report);
      expect(fixed.enqueued.map((e) => e.receiptNo)).toEqual([no]);

      await syncOnce(env);
      expect((await reconcile(deps, window)).findings).toEqual([]);
      assertExactlyOnce(demo, snapshotK3(demo), expectedOutcome(demo));
    } finally {
      await rt.close();
      await demo.close();
      await cleanPrefix(prefix);
    }
  }, 180_000);
});
