import { randomUUID } from 'node:crypto';
import IORedis from 'ioredis';
import { startDemoEnvironment } from '@receipt-sync/simulators';
import { createStore } from '@receipt-sync/store';
import { runSyncOnce } from './run-entry';
import { assertExactlyOnce, expectedOutcome, snapshotK3 } from '../e2e/expectations';
import { cleanPrefix, envFor, redisUrl } from '../e2e/helpers';
import { LocalRedis } from '../e2e/local-redis';

describe('npm run sync:once (docs/operations.md#commands)', () => {
  it('prints the summary JSON as the last line of stdout and exits 0', async () => {
    const demo = await startDemoEnvironment({ seed: 81, receipts: 40, orders: 10 });
    const prefix = `e2e-once-${randomUUID().slice(0, 8)}`;
    try {
      const { code, stdout, stderr } = await runSyncOnce({
        ...envFor(demo, prefix),
        LOG_LEVEL: 'info',
        LANG: 'zh_CN.UTF-8',
      });
      expect(code).toBe(0);
      const last = stdout.trimEnd().split('\n').pop()!;
      const summary = JSON.parse(last);
      expect(Object.keys(summary)).toEqual([
        'fetched',
        'written',
        'unchanged',
        'quarantined',
        'deadLettered',
        'windowStart',
        'windowEnd',
      ]);
      expect(summary.fetched).toBe(40);
      expect(summary.windowStart).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      expect(stdout.trim().split('\n')).toHaveLength(1); // logs go to stderr
      // …with the outcome in words, in the terminal's language (LANG zh_*).
      expect(stderr).toMatch(/sync:once：窗口 .* → .*：拉取 40，已写入 \d+，未变化 \d+，已隔离 \d+，写入失败 \d+/);
    } finally {
      await demo.close();
      await cleanPrefix(prefix);
    }
  }, 120_000);

  it('exits 1 naming the variable when the configuration is bad, without printing secrets', async () => {
    const { code, stderr, stdout } = await runSyncOnce({
      PATH: process.env.PATH,
      XIAOMAN_CLIENT_SECRET: 'top-secret-value',
      KINGDEE_BATCH_SIZE: 'many',
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/XIAOMAN_CLIENT_ID/);
    expect(stderr).toMatch(/KINGDEE_BATCH_SIZE/);
    expect(stderr + stdout).not.toContain('top-secret-value');
  }, 60_000);

  it('refuses to start on a Redis Cluster with an untagged QUEUE_PREFIX, saying how to fix it', async () => {
    const { code, stderr } = await runSyncOnce({
      PATH: process.env.PATH,
      REDIS_CLUSTER_NODES: '127.0.0.1:7001,127.0.0.1:7002',
      QUEUE_PREFIX: 'rsync',
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /QUEUE_PREFIX must be hash-tagged when REDIS_CLUSTER_NODES is set, e\.g\. QUEUE_PREFIX=\{rsync\}/,
    );
  }, 60_000);

  it('exits 1 naming every mapped key the K3Cloud metadata lacks; writes and dead-letters nothing, checkpoint unchanged; the next run writes every receipt once', async () => {
    const missing = ['F_PBLH_CashCollectionNo', 'F_PBLH_Bank', 'F_PBLH_InspectionFee'];
    const demo = await startDemoEnvironment({
      seed: 83,
      receipts: 20,
      orders: 5,
      lackingFields: { SAL_SaleOrder: missing },
    });
    const prefix = `e2e-once-meta-${randomUUID().slice(0, 8)}`;
    const redis = new IORedis(redisUrl);
    const store = createStore({ redis, prefix });
    try {
      await store.init();
      expect(await store.checkpoints.advance('receipts', '2025-04-10 00:00:00', undefined)).toBe(true);
      const before = JSON.stringify(demo.k3.allBills('SAL_SaleOrder'));
      const { code, stderr, stdout } = await runSyncOnce(envFor(demo, prefix));
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toMatch(
        /sync:once could not run: .*lacks 3 mapped field key\(s\): F_PBLH_CashCollectionNo, F_PBLH_Bank, F_PBLH_InspectionFee/,
      );
      expect((await store.checkpoints.get('receipts'))?.windowEnd).toBe('2025-04-10 00:00:00');
      expect(demo.k3.stats.calls.BatchSave ?? 0).toBe(0);
      expect(JSON.stringify(demo.k3.allBills('SAL_SaleOrder'))).toBe(before);
      // The window may have been read and transformed meanwhile (reading is harmless; a receipt that
      // breaks a data-quality rule is quarantined as any run would); nothing was dead-lettered.
      const deadKeys = (await redis.keys(`${prefix}:*`)).filter((k) => /:dead-letter:(?!meta$)/.test(k));
      expect(deadKeys).toEqual([]);

      // The tenant adds the fields: the next run writes every receipt exactly once, what the
      // failed run read included.
      demo.k3.setLackingFields('SAL_SaleOrder', []);
      const expected = expectedOutcome(demo);
      const fixed = await runSyncOnce(envFor(demo, prefix));
      expect(fixed.code).toBe(0);
      expect(JSON.parse(fixed.stdout.trim().split('\n').pop()!)).toMatchObject({ deadLettered: 0 });
      assertExactlyOnce(demo, snapshotK3(demo), expected);
    } finally {
      await store.close().catch(() => undefined);
      await redis.quit();
      await demo.close();
      await cleanPrefix(prefix);
    }
  }, 60_000);

  it('exits 1 when Redis does not answer', async () => {
    const demo = await startDemoEnvironment({ seed: 82, receipts: 5, orders: 2 });
    try {
      const port = await LocalRedis.freePort();
      const { code, stderr } = await runSyncOnce({
        ...envFor(demo, 'e2e-noredis'),
        REDIS_URL: `redis://127.0.0.1:${port}`,
      });
      expect(code).toBe(1);
      expect(stderr).toMatch(/Redis .* did not answer/);
    } finally {
      await demo.close();
    }
  }, 60_000);
});
