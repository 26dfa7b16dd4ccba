import { randomUUID } from 'node:crypto';
import IORedis from 'ioredis';
import { startDemoEnvironment } from '@receipt-sync/simulators';
import { loadConfig, runReadinessChecks } from '@receipt-sync/core';
import { createRuntime, k3SessionCheck } from '@receipt-sync/pipeline';
import { createStore } from '@receipt-sync/store';
import { runSyncOnce } from './run-entry';
import { cleanPrefix, envFor, redisUrl } from '../e2e/helpers';

describe('sync:once with a wrong KINGDEE_PASSWORD', () => {
  it('exits 1 naming the variable after one login, keeps the checkpoint, dead-letters nothing; a rerun does not log in', async () => {
    const demo = await startDemoEnvironment({ seed: 91, receipts: 30, orders: 8 });
    const prefix = `e2e-badpw-${randomUUID().slice(0, 8)}`;
    const redis = new IORedis(redisUrl);
    const store = createStore({ redis, prefix });
    const logins = () => demo.k3.stats.calls.ValidateUser ?? 0;
    try {
      const good = await runSyncOnce(envFor(demo, prefix));
      expect(good.code).toBe(0);
      const checkpoint = (await store.checkpoints.get('receipts'))?.windowEnd;
      expect(checkpoint).toBeDefined();
      // New versions of a few receipts: the writer must read K3Cloud again, so it must log in.
      for (const r of demo.okki.allReceipts().slice(0, 5)) demo.okki.upsertReceipt({ ...r, comment: 'edited' });

      const deadLetters = () => redis.llen(`${prefix}:dead-letter:wait`);
      const deadBefore = await deadLetters();
      const before = logins();
      const wrong = { ...envFor(demo, prefix), KINGDEE_PASSWORD: 'not-the-password', LOG_LEVEL: 'warn' };
      const bad = await runSyncOnce(wrong);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/sync:once could not run: k3cloud: authentication failed: .*KINGDEE_PASSWORD/);
      expect(bad.stdout).toBe('');
      expect(bad.stderr + bad.stdout).not.toContain('not-the-password');
      expect(logins() - before).toBe(1);
      expect((await store.checkpoints.get('receipts'))?.windowEnd).toBe(checkpoint);
      expect(await deadLetters()).toBe(deadBefore);

      // The refusal is shared through Redis: a rerun with the same wrong password does not even try.
      const again = await runSyncOnce(wrong);
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/no further login with these credentials for \d+ s/);
      expect(logins() - before).toBe(1);

      // Fixed credentials are other credentials: the next run logs in at once and finishes.
      const fixed = await runSyncOnce(envFor(demo, prefix));
      expect(fixed.code).toBe(0);
      expect(JSON.parse(fixed.stdout.trim().split('\n').pop()!)).toMatchObject({ written: 5, deadLettered: 0 });
      expect(await deadLetters()).toBe(deadBefore);
    } finally {
      await store.close().catch(() => undefined);
      await redis.quit();
      await demo.close();
      await cleanPrefix(prefix);
    }
  }, 240_000);

  it('keeps the long-running writer not-ready with the reason, without logging in again at every probe', async () => {
    const demo = await startDemoEnvironment({ seed: 92, receipts: 2, orders: 1 });
    const prefix = `e2e-badpw-ready-${randomUUID().slice(0, 8)}`;
    const env = { ...envFor(demo, prefix), KINGDEE_PASSWORD: 'not-the-password' };
    const rt = await createRuntime(loadConfig(env), { name: 'writer', needsK3: true });
    try {
      const check = { 'k3cloud-session': k3SessionCheck(rt, 0) };
      const before = demo.k3.stats.calls.ValidateUser ?? 0;
      for (let probe = 0; probe < 20; probe++) {
        const report = await runReadinessChecks(check, 5_000);
        expect(report.ready).toBe(false);
        expect(report.checks['k3cloud-session']).toMatch(
          /authentication failed: .*check KINGDEE_ACCT_ID, KINGDEE_USERNAME and KINGDEE_PASSWORD; no further login with these credentials for \d+ s/,
        );
      }
      expect((demo.k3.stats.calls.ValidateUser ?? 0) - before).toBe(1);
    } finally {
      await rt.close();
      await demo.close();
      await cleanPrefix(prefix);
    }
  }, 60_000);
});
