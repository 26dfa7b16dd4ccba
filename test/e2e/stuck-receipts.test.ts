import { randomUUID } from 'node:crypto';
import IORedis from 'ioredis';
import { deleteKeys, loadConfig, scanKeys } from '@receipt-sync/core';
import {
  createRuntime,
  startProducerStage,
  startTransformerStage,
  startWriterStage,
  syncOnce,
  unfinishedCount,
  type Runtime,
  type RunningStage,
} from '@receipt-sync/pipeline';
import { startDemoEnvironment, type DemoEnvironment } from '@receipt-sync/simulators';
import { createStore } from '@receipt-sync/store';
import { assertExactlyOnce, expectedOutcome, foreignRows, snapshotK3 } from './expectations';
import { cleanPrefix, envFor, redisUrl, waitFor } from './helpers';

/** True once every receipt that must reach K3Cloud is there exactly once. */
function allWritten(demo: DemoEnvironment): boolean {
  try {
    assertExactlyOnce(demo, snapshotK3(demo), expectedOutcome(demo));
    return true;
  } catch {
    return false;
  }
}

/** What a mistaken flush of queue keys does: every BullMQ key of raw and ready under the prefix is gone. */
async function flushQueueKeys(prefix: string, extra: string[] = []): Promise<number> {
  const redis = new IORedis(redisUrl);
  try {
    const keys = [
      ...(await scanKeys(redis, `${prefix}:raw:*`)),
      ...(await scanKeys(redis, `${prefix}:ready:*`)),
      ...extra,
    ];
    return await deleteKeys(redis, keys);
  } finally {
    await redis.quit();
  }
}

function redrivenTotal(metrics: string): number {
  return Number(/receipt_sync_stuck_receipts_redriven_total\S* (\d+)/.exec(metrics)?.[1] ?? 0);
}

describe('jobs Redis lost while the checkpoint survived (SYNC_STUCK_SECONDS)', () => {
  let demo: DemoEnvironment;
  let rt: Runtime | undefined;
  let stages: RunningStage[] = [];
  let prefix: string;

  beforeEach(async () => {
    demo = await startDemoEnvironment({ seed: 61, receipts: 40, orders: 12 });
    prefix = `e2e-stuck-${randomUUID().slice(0, 8)}`;
    const env = envFor(demo, prefix, { SYNC_INTERVAL_SECONDS: '3600', SYNC_STUCK_SECONDS: '2' });
    rt = await createRuntime(loadConfig(env), { name: 'e2e-stuck', needsOkki: true, needsK3: true });
    stages = [];
  });

  afterEach(async () => {
    await Promise.allSettled(stages.map((s) => s.close()));
    await rt?.close();
    await demo.close();
    await cleanPrefix(prefix);
  });

  it('raw jobs flushed before the transformer ran: fetched again and written exactly once', async () => {
    const runtime = rt!;
    const before = foreignRows(demo, snapshotK3(demo));
    stages.push(await startProducerStage(runtime));
    await waitFor(
      async () => (await runtime.store.checkpoints.get('receipts')) !== undefined,
      30_000,
      'the first window to be enqueued and the checkpoint to advance',
    );
    expect(await unfinishedCount(runtime.queues.raw)).toBeGreaterThan(0);
    expect(await flushQueueKeys(prefix)).toBeGreaterThan(0);
    expect(await unfinishedCount(runtime.queues.raw)).toBe(0);

    stages.push(await startTransformerStage(runtime), await startWriterStage(runtime));
    await waitFor(() => allWritten(demo), 60_000, 'every receipt in K3Cloud exactly once');
    const snap = snapshotK3(demo);
    assertExactlyOnce(demo, snap, expectedOutcome(demo));
    expect(foreignRows(demo, snap)).toEqual(before);
    expect(redrivenTotal(await runtime.metrics.metricsText())).toBeGreaterThan(0);
    // The checkpoint survived: no window re-read the receipts, the sweeper did.
    expect((await runtime.store.windows.latest(10)).length).toBe(1);
  }, 120_000);

  it('ready jobs flushed with the in-flight record too: the ledger entries left pending are re-driven', async () => {
    const runtime = rt!;
    stages.push(await startProducerStage(runtime), await startTransformerStage(runtime));
    await waitFor(
      async () =>
        (await runtime.store.checkpoints.get('receipts')) !== undefined &&
        (await unfinishedCount(runtime.queues.raw)) === 0 &&
        (await runtime.store.ledger.countByStatus()).pending > 0,
      30_000,
      'every receipt transformed and waiting in ready',
    );
    const pending = (await runtime.store.ledger.countByStatus()).pending;
    expect(await unfinishedCount(runtime.queues.ready)).toBe(pending);
    // Only the ledger still knows: the tracker's record of versions in flight goes as well.
    await flushQueueKeys(prefix, [`${prefix}:outcome:in-flight`]);
    expect(await unfinishedCount(runtime.queues.ready)).toBe(0);

    stages.push(await startWriterStage(runtime));
    await waitFor(() => allWritten(demo), 60_000, 'every receipt in K3Cloud exactly once');
    assertExactlyOnce(demo, snapshotK3(demo), expectedOutcome(demo));
    await waitFor(
      async () => (await runtime.store.ledger.countByStatus()).pending === 0,
      30_000,
      'no ledger entry left pending',
    );
    expect(redrivenTotal(await runtime.metrics.metricsText())).toBeGreaterThanOrEqual(pending);
  }, 120_000);
});

describe('sync:once when Redis loses jobs of its window', () => {
  it('re-queues the receipts whose jobs vanished, writes them exactly once and advances the checkpoint', async () => {
    const demo = await startDemoEnvironment({ seed: 62, receipts: 40, orders: 12 });
    const prefix = `e2e-stuck-once-${randomUUID().slice(0, 8)}`;
    const redis = new IORedis(redisUrl);
    try {
      // A slow K3Cloud and a writer holding few rows keep most rows waiting in `ready` for a while.
      demo.k3.faults.latencyMs = 200;
      const env = envFor(demo, prefix, { WRITER_CONCURRENCY: '4', KINGDEE_BATCH_SIZE: '4' });
      const run = syncOnce(env);
      const waiting = `${prefix}:ready:wait`;
      await waitFor(async () => (await redis.llen(waiting)) > 5, 30_000, 'rows waiting in ready');
      // Only the list is lost: the jobs' data stays behind under their ids, as after a partial loss.
      expect(await redis.del(waiting)).toBe(1);
      const summary = await run;
      const snap = snapshotK3(demo);
      assertExactlyOnce(demo, snap, expectedOutcome(demo));
      expect(summary.fetched).toBe(
        demo.okki.allReceipts({ removed: false }).length + demo.okki.allReceipts({ removed: true }).length,
      );
      expect(summary.written + summary.unchanged + summary.quarantined + summary.deadLettered).toBe(summary.fetched);
      const store = createStore({ redis, prefix });
      expect((await store.checkpoints.get('receipts'))?.windowEnd).toBe(summary.windowEnd);
      await store.close();
    } finally {
      await redis.quit();
      await demo.close();
      await cleanPrefix(prefix);
    }
  }, 120_000);
});
