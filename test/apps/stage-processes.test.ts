import { randomUUID } from 'node:crypto';
import { closeQueues, createQueues, createRedisConnection } from '@receipt-sync/pipeline';
import { startDemoEnvironment, type DemoEnvironment } from '@receipt-sync/simulators';
import { assertExactlyOnce, expectedOutcome, foreignRows, snapshotK3 } from '../e2e/expectations';
import { getJson, startApp } from './run-entry';
import { cleanPrefix, envFor, redisUrl, waitFor } from '../e2e/helpers';
import { LocalRedis } from '../e2e/local-redis';

/** A receipt page's reconcile request for one written receipt, answered by whichever process takes it. */
async function reconcileOne(demo: DemoEnvironment, prefix: string, receiptNo: string): Promise<unknown> {
  const receipt = demo.okki.allReceipts({ removed: false }).find((r) => r.cash_collection_no === receiptNo)!;
  const connection = createRedisConnection(redisUrl);
  const queues = createQueues(connection, prefix);
  try {
    const receiptId = String(receipt.cash_collection_id);
    const window = { from: receipt.update_time, to: receipt.update_time };
    const requestedAt = new Date().toISOString();
    await queues.reconcile.add(
      'reconcile',
      { receiptId, receiptNo, window, fix: false, requestedAt },
      {
        jobId: `reconcile-${receiptId}`,
      },
    );
    await waitFor(
      async () => (await queues.reconcile.getJobState(`reconcile-${receiptId}`)) === 'completed',
      30_000,
      'the active writer to answer the reconcile request',
    );
    return (await queues.reconcile.getJob(`reconcile-${receiptId}`))?.returnvalue;
  } finally {
    await closeQueues(queues);
    await connection.quit();
  }
}

describe('producer, transformer and writer as separate processes (the container topology)', () => {
  it('sync every receipt exactly once, report ready with health and metrics, and stop cleanly on SIGTERM', async () => {
    const demo = await startDemoEnvironment({ seed: 71, receipts: 150, orders: 30 });
    const prefix = `e2e-apps-${randomUUID().slice(0, 8)}`;
    const ports = {
      producer: await LocalRedis.freePort(),
      transformer: await LocalRedis.freePort(),
      writer: await LocalRedis.freePort(),
    };
    const base = envFor(demo, prefix, { SYNC_INTERVAL_SECONDS: '2', LOG_LEVEL: 'info', SHUTDOWN_TIMEOUT_MS: '10000' });
    const apps = Object.entries(ports).map(([name, port]) => ({
      name,
      port,
      ...startApp(name, { ...base, HEALTH_PORT: String(port) }),
    }));
    try {
      const before = foreignRows(demo, snapshotK3(demo));
      const expected = expectedOutcome(demo);
      await waitFor(
        () => {
          const snap = snapshotK3(demo);
          return [...expected.written.keys()].every((no) => snap.rowsByNo.has(no));
        },
        90_000,
        'every receipt to reach K3Cloud',
      );
      const snap = snapshotK3(demo);
      assertExactlyOnce(demo, snap, expected);
      expect(foreignRows(demo, snap)).toEqual(before);

      for (const app of apps) {
        expect((await getJson(`http://127.0.0.1:${app.port}/healthz`)).status).toBe(200);
        const ready = await getJson(`http://127.0.0.1:${app.port}/readyz`);
        expect(ready).toMatchObject({ status: 200, body: { status: 'ready' } });
        const metrics = await getJson(`http://127.0.0.1:${app.port}/metrics`);
        expect(String(metrics.body)).toContain('receipt_sync_api_call_duration_seconds');
      }
      const writerReady = await getJson(`http://127.0.0.1:${ports.writer}/readyz`);
      expect(writerReady.body).toMatchObject({ checks: { 'k3cloud-session': 'ok' } });
      const writerMetrics = String((await getJson(`http://127.0.0.1:${ports.writer}/metrics`)).body);
      expect(writerMetrics).toMatch(/receipt_sync_receipts_written_total \d+/);
      // With OKKI configured too, the active writer answers the receipt pages' reconcile requests.
      const [written] = [...expected.written.keys()];
      expect(await reconcileOne(demo, prefix, written!)).toMatchObject({ clean: true, findings: [] });

      for (const app of apps) app.child.kill('SIGTERM');
      const codes = await Promise.all(apps.map((a) => a.exited));
      expect(codes).toEqual([0, 0, 0]);
      for (const app of apps) expect(app.output()).not.toContain(demo.env.KINGDEE_PASSWORD!);
      for (const app of apps) expect(app.output()).not.toContain(demo.env.XIAOMAN_CLIENT_SECRET!);
    } finally {
      for (const app of apps) if (app.child.exitCode === null) app.child.kill('SIGKILL');
      await demo.close();
      await cleanPrefix(prefix);
    }
  }, 180_000);
});
