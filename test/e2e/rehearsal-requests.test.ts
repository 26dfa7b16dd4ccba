import { randomUUID } from 'node:crypto';
import { loadConfig } from '@receipt-sync/core';
import { createRuntime, RehearsalRequests, startRehearsalRequests } from '@receipt-sync/pipeline';
import { startDemoEnvironment } from '@receipt-sync/simulators';
import { cleanPrefix, envFor, waitFor } from './helpers';

describe('a rehearsal asked for on the dashboard', () => {
  it('is run by the process holding both clients and leaves its report, writing nothing to K3Cloud', async () => {
    const demo = await startDemoEnvironment({ seed: 23, receipts: 40, orders: 10 });
    const prefix = `e2e-rehearsal-req-${randomUUID().slice(0, 8)}`;
    const rt = await createRuntime(loadConfig(envFor(demo, prefix)), { name: 'test', needsOkki: true, needsK3: true });
    const stage = startRehearsalRequests(rt, 50);
    try {
      const requests = new RehearsalRequests(rt.connection, prefix);
      demo.k3.resetStats();
      const asked = await requests.ask({}, 'operator');
      expect(asked.kind).toBe('asked');
      await waitFor(async () => (await requests.current())?.state === 'done', 60_000, 'the rehearsal to finish');
      const stored = await requests.report();
      expect(stored?.report.totals.receipts).toBe(40);
      expect(stored?.report.rows).toHaveLength(40);
      expect(demo.k3.stats.calls.BatchSave ?? 0).toBe(0);
      expect(await rt.store.checkpoints.get('receipts')).toBeUndefined();
    } finally {
      await stage.close();
      await rt.close();
      await demo.close();
      await cleanPrefix(prefix);
    }
  }, 120_000);
});
