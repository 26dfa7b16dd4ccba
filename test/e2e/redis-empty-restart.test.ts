import { randomUUID } from 'node:crypto';
import { loadConfig } from '@receipt-sync/core';
import {
  createRuntime,
  RedisHealer,
  sampleGauges,
  startProducerStage,
  startRedisHealer,
  startTransformerStage,
  startWriterStage,
  type Runtime,
  type RunningStage,
} from '@receipt-sync/pipeline';
import { startDemoEnvironment, type DemoEnvironment } from '@receipt-sync/simulators';
import { assertExactlyOnce, expectedOutcome, foreignRows, snapshotK3 } from './expectations';
import { envFor, waitFor } from './helpers';
import { LocalRedis } from './local-redis';

/** True once every receipt that must reach K3Cloud is there exactly once. */
function allWritten(demo: DemoEnvironment): boolean {
  try {
    assertExactlyOnce(demo, snapshotK3(demo), expectedOutcome(demo));
    return true;
  } catch {
    return false;
  }
}

/** New receipts on existing sales orders, created in OKKI now. */
function newReceipts(demo: DemoEnvironment, count: number): string[] {
  const existing = demo.okki.allReceipts({ removed: false });
  const fids = new Set(
    (demo.k3.allBills('SAL_SaleOrder') as unknown as Array<{ F_Cash_Collection_Id: unknown }>).map((b) =>
      String(b.F_Cash_Collection_Id),
    ),
  );
  const templates = existing.filter(
    (r) => r.order_id && fids.has(String(r.order_id)) && allWrittenOne(demo, r.cash_collection_no),
  );
  const maxId = Math.max(...existing.map((r) => r.cash_collection_id));
  return templates.slice(0, count).map((t, i) => {
    const no = `SKNEW${Date.now() % 1_000_000}${i}`;
    demo.okki.upsertReceipt({
      ...t,
      cash_collection_id: maxId + 1 + i,
      cash_collection_no: no,
      comment: 'after the restart',
    });
    return no;
  });
}

function allWrittenOne(demo: DemoEnvironment, no: string): boolean {
  return (snapshotK3(demo).rowsByNo.get(no)?.length ?? 0) === 1;
}

describe('Redis restarted empty under the long-running service', () => {
  it('notices, writes its state again and keeps syncing: new receipts reach K3Cloud, nothing doubled', async () => {
    const redis = new LocalRedis(await LocalRedis.freePort());
    await redis.start();
    const demo = await startDemoEnvironment({ seed: 57, receipts: 40, orders: 12 });
    let rt: Runtime | undefined;
    let stages: RunningStage[] = [];
    let healer: RedisHealer | undefined;
    try {
      const env = {
        ...envFor(demo, `e2e-heal-${randomUUID().slice(0, 8)}`, { SYNC_INTERVAL_SECONDS: '2' }),
        REDIS_URL: redis.url,
        REDIS_HEAL_TIMEOUT_SECONDS: '60',
        LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'silent',
      };
      const before = foreignRows(demo, snapshotK3(demo));
      rt = await createRuntime(loadConfig(env), { name: 'e2e-heal', needsOkki: true, needsK3: true });
      stages = [await startProducerStage(rt), await startTransformerStage(rt), await startWriterStage(rt)];
      healer = await startRedisHealer(rt, rt.store, stages);
      await waitFor(() => allWritten(demo), 60_000, 'the first sync of every receipt');
      if (process.env.E2E_LOG_LEVEL) process.stdout.write('first sync done\n');
      expect(await rt.store.checkpoints.get('receipts')).toBeDefined();

      await redis.kill();
      redis.wipe();
      await redis.start();
      const restartedAt = Date.now();

      if (process.env.E2E_LOG_LEVEL) process.stdout.write('redis restarted empty\n');
      const added = newReceipts(demo, 3);
      expect(added).toHaveLength(3);
      await waitFor(() => added.every((no) => allWrittenOne(demo, no)), 60_000, 'the new receipts in K3Cloud');
      const resumedInMs = Date.now() - restartedAt;
      if (process.env.E2E_LOG_LEVEL) process.stdout.write('new receipts written\n');
      await waitFor(() => allWritten(demo), 30_000, 'every receipt exactly once');
      const snap = snapshotK3(demo);
      assertExactlyOnce(demo, snap, expectedOutcome(demo));
      expect(foreignRows(demo, snap)).toEqual(before);
      expect(healer.heals).toBeGreaterThanOrEqual(1);
      expect(healer.healthy()).toBe(true);
      expect(await rt.queues.windows.getJobScheduler('receipt-windows')).toBeDefined();
      expect(await rt.store.checkpoints.get('receipts')).toBeDefined();
      // The lag gauge never read 0 for a lost checkpoint; it is small again now.
      await sampleGauges(rt);
      const lag = (await rt.metrics.metricsText()).match(/receipt_sync_checkpoint_lag_seconds\S* (\d+)/)?.[1];
      expect(Number(lag)).toBeLessThan(130);
      process.stdout.write(`redis-empty-restart: new receipts reached K3Cloud ${resumedInMs} ms after the restart\n`);
    } finally {
      if (process.env.E2E_LOG_LEVEL) process.stdout.write('teardown\n');
      healer?.stop();
      await Promise.allSettled(stages.map((s) => s.close()));
      if (process.env.E2E_LOG_LEVEL) process.stdout.write('stages closed\n');
      await rt?.close();
      await demo.close();
      await redis.destroy();
    }
  }, 240_000);

  it('turns unhealthy when Redis stays away longer than the heal timeout, healthy again once it is back', async () => {
    const redis = new LocalRedis(await LocalRedis.freePort());
    await redis.start();
    const demo = await startDemoEnvironment({ seed: 58, receipts: 2, orders: 1 });
    let rt: Runtime | undefined;
    let healer: RedisHealer | undefined;
    try {
      const env = { ...envFor(demo, `e2e-unheal-${randomUUID().slice(0, 8)}`), REDIS_URL: redis.url };
      rt = await createRuntime(loadConfig(env), { name: 'e2e-unheal' });
      healer = new RedisHealer({
        connection: rt.connection,
        prefix: rt.config.queuePrefix,
        processName: 'e2e-unheal',
        logger: rt.logger,
        steps: [],
        checkMs: 200,
        stepTimeoutMs: 300,
        timeoutMs: 1_500,
      });
      await healer.start();
      expect(healer.healthy()).toBe(true);
      redis.freeze();
      await waitFor(() => !healer!.healthy(), 20_000, '/healthz to fail while Redis hangs');
      redis.thaw();
      await waitFor(() => healer!.healthy(), 20_000, '/healthz to pass again');
    } finally {
      redis.thaw();
      healer?.stop();
      await rt?.close();
      await demo.close();
      await redis.destroy();
    }
  }, 60_000);
});
