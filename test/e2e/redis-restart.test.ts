import { randomUUID } from 'node:crypto';
import { startDemoEnvironment } from '@receipt-sync/simulators';
import { syncOnce } from '@receipt-sync/pipeline';
import { assertExactlyOnce, expectedOutcome, foreignRows, snapshotK3 } from './expectations';
import { envFor, waitFor } from './helpers';
import { LocalRedis } from './local-redis';

describe('Redis killed and restarted in the middle of a cycle', () => {
  it('reconnects, finishes the cycle and leaves every receipt in K3Cloud exactly once', async () => {
    const redis = new LocalRedis(await LocalRedis.freePort());
    await redis.start();
    const demo = await startDemoEnvironment({
      seed: 31,
      receipts: 200,
      orders: 40,
      k3Faults: { latencyMs: 30, perRowLatencyMs: 3 },
    });
    try {
      const before = foreignRows(demo, snapshotK3(demo));
      const env = {
        ...envFor(demo, `e2e-redis-${randomUUID().slice(0, 8)}`, { KINGDEE_BATCH_SIZE: '10' }),
        REDIS_URL: redis.url,
      };
      const cycle = syncOnce(env);
      await waitFor(() => demo.k3.stats.savesApplied >= 3, 60_000, 'the first saves');
      await redis.kill();
      await new Promise((r) => setTimeout(r, 500)); // Redis stays down for a moment, as in a failover
      await redis.start();
      const summary = await cycle;
      const snap = snapshotK3(demo);
      const expected = expectedOutcome(demo);
      assertExactlyOnce(demo, snap, expected);
      expect(foreignRows(demo, snap)).toEqual(before);
      expect(summary.fetched).toBe(200);
      expect(summary.written + summary.unchanged + summary.quarantined + summary.deadLettered).toBe(summary.fetched);
    } finally {
      await demo.close();
      await redis.destroy();
    }
  }, 240_000);
});
