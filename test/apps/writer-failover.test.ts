import { randomUUID } from 'node:crypto';
import IORedis from 'ioredis';
import { readWriterLease, type WriterLeaseView } from '@receipt-sync/pipeline';
import { startDemoEnvironment } from '@receipt-sync/simulators';
import { assertExactlyOnce, expectedOutcome, foreignRows, snapshotK3 } from '../e2e/expectations';
import { cleanPrefix, envFor, redisUrl, waitFor } from '../e2e/helpers';
import { LocalRedis } from '../e2e/local-redis';
import { getJson, startApp } from './run-entry';

const LEASE_SECONDS = 5;

describe('one active writer and a hot standby, as separate processes', () => {
  it('after kill -9 of the active writer, the standby takes over within the lease time and every receipt lands exactly once', async () => {
    // K3Cloud slow enough that about 2,000 rows are still waiting when the active writer dies.
    const demo = await startDemoEnvironment({
      seed: 91,
      receipts: 2_400,
      orders: 480,
      k3Faults: { latencyMs: 60, perRowLatencyMs: 2 },
    });
    const prefix = `e2e-failover-${randomUUID().slice(0, 8)}`;
    const redis = new IORedis(redisUrl);
    const base = envFor(demo, prefix, {
      SYNC_INTERVAL_SECONDS: '2',
      KINGDEE_BATCH_SIZE: '50',
      KINGDEE_MAX_CONCURRENCY: '2',
      WRITER_LEASE_SECONDS: String(LEASE_SECONDS),
      WORKER_LOCK_MS: '3000',
      SHUTDOWN_TIMEOUT_MS: '10000',
    });
    const names = ['producer', 'transformer', 'writer', 'writer'] as const;
    const apps = await Promise.all(
      names.map(async (name) => {
        const port = await LocalRedis.freePort();
        return { name, port, ...startApp(name, { ...base, HEALTH_PORT: String(port) }) };
      }),
    );
    const writers = apps.filter((a) => a.name === 'writer');
    const lease = () => readWriterLease(redis, prefix);
    try {
      const before = foreignRows(demo, snapshotK3(demo));
      const expected = expectedOutcome(demo);
      let view: WriterLeaseView = await lease();
      await waitFor(
        async () => (view = await lease()).holder !== undefined && view.standbys === 1,
        60_000,
        'a writer and a standby',
      );
      const active = writers.find((w) => w.child.pid === view.holder!.pid)!;
      const standby = writers.find((w) => w !== active)!;
      expect(standby).toBeDefined();
      const metricsOf = async (w: typeof active) => String((await getJson(`http://127.0.0.1:${w.port}/metrics`)).body);
      const answers = async (w: typeof active) =>
        (await getJson(`http://127.0.0.1:${w.port}/healthz`).catch(() => undefined))?.status === 200;
      await waitFor(
        async () => (await answers(active)) && (await answers(standby)),
        60_000,
        'both writers to serve /healthz',
      );
      expect(await metricsOf(active)).toMatch(/^receipt_sync_writer_active(\{[^}]*\})? 1$/m);
      expect(await metricsOf(standby)).toMatch(/^receipt_sync_writer_active(\{[^}]*\})? 0$/m);

      const written = () => snapshotK3(demo).rowsByNo.size - before.size;
      await waitFor(() => written() >= 200, 120_000, 'the active writer to write its first rows');
      const waiting = expected.written.size - written();
      const savesAtKill = demo.k3.stats.calls.BatchSave ?? 0;
      const killedAt = Date.now();
      active.child.kill('SIGKILL');
      await waitFor(
        async () => (await lease()).holder?.pid === standby.child.pid,
        30_000,
        'the standby to hold the lease',
      );
      const tookOverAt = Date.now();
      const savesAtTakeover = demo.k3.stats.calls.BatchSave ?? 0;
      await waitFor(
        () => (demo.k3.stats.calls.BatchSave ?? 0) > savesAtTakeover,
        30_000,
        "the standby's first BatchSave",
      );
      const firstSaveAt = Date.now();
      expect(await metricsOf(standby)).toMatch(/^receipt_sync_writer_active(\{[^}]*\})? 1$/m);

      await waitFor(
        () => [...expected.written.keys()].every((no) => snapshotK3(demo).rowsByNo.has(no)),
        180_000,
        'every receipt to reach K3Cloud',
      );
      const snap = snapshotK3(demo);
      assertExactlyOnce(demo, snap, expected);
      expect(foreignRows(demo, snap)).toEqual(before);
      // The dead writer's lease had to run out first: the takeover cannot come sooner than that.
      expect(tookOverAt - killedAt).toBeLessThanOrEqual((LEASE_SECONDS + 2) * 1000);
      expect(savesAtKill).toBeGreaterThan(0);
      process.stdout.write(
        `writer failover: ${waiting} rows waiting at kill -9; lease taken ${((tookOverAt - killedAt) / 1000).toFixed(1)} s ` +
          `and first BatchSave ${((firstSaveAt - killedAt) / 1000).toFixed(1)} s after it (WRITER_LEASE_SECONDS=${LEASE_SECONDS})\n`,
      );
    } finally {
      for (const app of apps) if (app.child.exitCode === null) app.child.kill('SIGKILL');
      await Promise.all(apps.map((a) => a.exited));
      await redis.quit();
      await demo.close();
      await cleanPrefix(prefix);
    }
  }, 300_000);
});
