import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { startDemoEnvironment } from '@receipt-sync/simulators';
import { syncOnce } from '@receipt-sync/pipeline';
import { assertExactlyOnce, expectedOutcome, foreignRows, snapshotK3 } from './expectations';
import { cleanPrefix, envFor, waitFor } from './helpers';
import { describeOnStores } from './store-backends';

const root = path.resolve(__dirname, '../..');

describeOnStores('a sync:once process killed with SIGKILL mid-write', (store) => {
  it('loses nothing: the next run finishes its jobs and every receipt is in K3Cloud exactly once', async () => {
    // Slow K3Cloud so the kill lands while batches are in flight.
    const demo = await startDemoEnvironment({
      seed: 23,
      receipts: 240,
      orders: 50,
      k3Faults: { latencyMs: 40, perRowLatencyMs: 4 },
    });
    const prefix = `e2e-kill-${randomUUID().slice(0, 8)}`;
    const env = envFor(demo, prefix, {
      ...store.env,
      KINGDEE_BATCH_SIZE: '10',
      KINGDEE_MAX_CONCURRENCY: '2',
      WORKER_LOCK_MS: '2000',
      KINGDEE_TIMEOUT_MS: '10000',
      LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'silent',
    });
    try {
      const before = foreignRows(demo, snapshotK3(demo));
      const child = spawn(process.execPath, ['--import', 'tsx', 'apps/service/src/sync-once.ts'], {
        cwd: root,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      child.stdout.on('data', (d) => (stdout += String(d)));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      await waitFor(() => demo.k3.stats.savesApplied >= 5, 60_000, 'the first saves of the child process');
      child.kill('SIGKILL');
      expect(await exited).toBeNull();
      expect(stdout).not.toContain('"fetched"');
      const savedByKilledRun = demo.k3.stats.savesApplied;

      const summary = await syncOnce(env);
      const expected = expectedOutcome(demo);
      const snap = snapshotK3(demo);
      assertExactlyOnce(demo, snap, expected);
      expect(foreignRows(demo, snap)).toEqual(before);
      expect(savedByKilledRun).toBeGreaterThan(0);
      expect(summary.fetched).toBe(240);
      expect(summary.written + summary.unchanged + summary.quarantined + summary.deadLettered).toBe(summary.fetched);
      expect(summary.quarantined).toBe(expected.noOrder.length);
      expect(summary.deadLettered).toBe(expected.missingOrder.length);
    } finally {
      await demo.close();
      await cleanPrefix(prefix);
    }
  }, 240_000);
});
