import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { startDemoEnvironment } from '@receipt-sync/simulators';
import { assertExactlyOnce, expectedOutcome, snapshotK3 } from '../e2e/expectations';
import { getJson, startApp } from './run-entry';
import { cleanPrefix, envFor, redisUrl, waitFor } from '../e2e/helpers';
import { LocalRedis } from '../e2e/local-redis';

describe('long-running writer while the mapping does not fit K3Cloud metadata', () => {
  it('stays not-ready naming the keys, holds jobs without spending attempts, and writes once the fields exist', async () => {
    const missing = ['F_PBLH_Bank', 'F_PBLH_Remark'];
    const demo = await startDemoEnvironment({
      seed: 91,
      receipts: 60,
      orders: 15,
      auditedOrderRate: 0.2,
      lockedSave: 'ignore',
      lackingFields: { SAL_SaleOrder: missing },
    });
    const prefix = `e2e-preflight-${randomUUID().slice(0, 8)}`;
    const port = await LocalRedis.freePort();
    const base = envFor(demo, prefix, { SYNC_INTERVAL_SECONDS: '2', PREFLIGHT_RECHECK_SECONDS: '1' });
    const apps = [
      startApp('producer', { ...base, HEALTH_PORT: String(await LocalRedis.freePort()) }),
      startApp('transformer', { ...base, HEALTH_PORT: String(await LocalRedis.freePort()) }),
      startApp('writer', { ...base, HEALTH_PORT: String(port) }),
    ];
    const connection = new IORedis(redisUrl, { maxRetriesPerRequest: null });
    const ready = new Queue('ready', { connection, prefix });
    const dead = new Queue('dead-letter', { connection, prefix });
    const readyz = () => getJson(`http://127.0.0.1:${port}/readyz`).catch(() => ({ status: 0, body: '' }));
    try {
      await waitFor(async () => (await readyz()).status === 503, 60_000, 'the writer to report not-ready');
      const notReady = await readyz();
      const check = String((notReady.body as { checks: Record<string, string> }).checks['k3cloud-metadata']);
      expect(check).toMatch(/lacks 2 mapped field key\(s\): F_PBLH_Remark, F_PBLH_Bank/);

      await waitFor(async () => (await ready.getDelayedCount()) >= 10, 60_000, 'ready jobs to be held');
      const held = await ready.getJobs(['delayed']);
      expect(held.every((j) => j.attemptsMade === 0)).toBe(true);
      expect(demo.k3.stats.calls.BatchSave ?? 0).toBe(0);
      expect(await dead.count()).toBe(0);

      // The tenant adds the fields: the writer notices within a re-check and writes everything.
      demo.k3.setLackingFields('SAL_SaleOrder', []);
      const lockedFids = new Set(
        demo.k3.findBills('SAL_SaleOrder', (b) => b.FDocumentStatus === 'C').map((b) => b.FID),
      );
      const expected = expectedOutcome(demo);
      const free = new Map([...expected.written].filter(([, fid]) => !lockedFids.has(fid)));
      await waitFor(
        () => {
          const snap = snapshotK3(demo);
          return [...free.keys()].every((no) => snap.rowsByNo.has(no));
        },
        90_000,
        'every receipt on an unlocked order to reach K3Cloud',
      );
      assertExactlyOnce(demo, snapshotK3(demo), { ...expected, written: free });
      await waitFor(async () => (await readyz()).status === 200, 30_000, 'the writer to be ready again');

      // Orders in C keep their values in ignore mode: the read-back counts those rows as not applied.
      await waitFor(
        async () =>
          /writes_not_applied_total\{cause="order-locked"[^}]*\} [1-9]/.test(
            String((await getJson(`http://127.0.0.1:${port}/metrics`)).body),
          ),
        30_000,
        'the not-applied counter in /metrics',
      );
    } finally {
      for (const app of apps) app.child.kill('SIGTERM');
      await Promise.all(apps.map((a) => a.exited));
      await ready.close();
      await dead.close();
      await connection.quit();
      await demo.close();
      await cleanPrefix(prefix);
    }
  }, 240_000);
});
