import { randomUUID } from 'node:crypto';
import { findByKey, receiptRecord } from '@receipt-sync/dashboard';
import { closeQueues, createQueues, createRedisConnection, syncOnce } from '@receipt-sync/pipeline';
import { startDemoEnvironment } from '@receipt-sync/simulators';
import { createStore, SERIES, TimeSeries } from '@receipt-sync/store';
import { cleanPrefix, envFor } from './helpers';

/**
 * What the pipeline leaves for finance's question "where is receipt HK…?": after one real cycle
 * against the simulators, every receipt is found by its number with its version, outcome, jobs and
 * K3Cloud calls; a dead-lettered or quarantined one carries the dead letter to replay.
 */
describe('a receipt’s whole path after a sync cycle', () => {
  it('records versions, dead-letter ids, written values, calls and outcome counts', async () => {
    const demo = await startDemoEnvironment({ seed: 12, receipts: 40, orders: 10 });
    const prefix = `e2e-path-${randomUUID().slice(0, 8)}`;
    const env = envFor(demo, prefix);
    const connection = createRedisConnection(env.REDIS_URL!);
    const queues = createQueues(connection, prefix);
    const store = createStore({ redis: connection, prefix });
    try {
      const summary = await syncOnce(env);
      expect(summary.written).toBeGreaterThan(0);
      expect(summary.quarantined + summary.deadLettered).toBeGreaterThan(0);
      const receipts = demo.okki.allReceipts({ removed: false });

      const written = (await store.ledger.list({ status: 'written', limit: 1 }))[0]!;
      const okki = receipts.find((r) => String(r.cash_collection_id) === written.receiptId)!;
      const match = await findByKey(store, okki.cash_collection_no);
      expect(match).toEqual({ kind: 'receipt', receiptId: written.receiptId });
      const record = (await receiptRecord({ store, queues }, written.receiptId))!;
      expect(record.versions).toEqual([
        expect.objectContaining({ updateTime: okki.update_time, removed: false, source: 'window' }),
      ]);
      expect(record.row).toMatchObject({ entryId: written.k3EntryId });
      expect(record.row?.fields).toMatchObject({ F_PBLH_CashCollectionNo: okki.cash_collection_no });
      expect(record.jobs.map((j) => j.queue).sort()).toEqual(['raw', 'ready']);
      expect(record.calls.some((c) => c.operation === 'BatchSave' && c.about === 'receipt' && c.outcome === 'ok')).toBe(
        true,
      );
      // The read-before-write of its order's rows names it too.
      expect(record.calls.some((c) => c.operation === 'ExecuteBillQuery' && c.about === 'receipt')).toBe(true);
      expect(record.order.billNo).toMatch(/^XSDD/);
      // The document status as the writer's query before the save found it (the demo's orders are A, B or C).
      expect(record.order.documentStatus).toMatch(/^[ABC]$/);
      expect(Date.parse(record.order.statusSeenAt!)).toBeGreaterThan(Date.now() - 600_000);
      const byBill = await findByKey(store, record.order.billNo!);
      expect(byBill).toMatchObject({ kind: 'order', orderId: written.orderId });

      const failed = [
        ...(await store.ledger.failures({ status: 'quarantined' })).entries,
        ...(await store.ledger.failures({ status: 'dead-lettered' })).entries,
      ];
      expect(failed).toHaveLength(summary.quarantined + summary.deadLettered);
      for (const e of failed) {
        const queue = e.status === 'quarantined' ? queues.quarantine : queues['dead-letter'];
        expect(await queue.getJob(e.deadLetterId!)).toBeDefined();
      }

      const series = new TimeSeries(connection, prefix);
      const counted = (await series.read(SERIES.written, { minutes: 10 })).reduce((n, p) => n + (p.value ?? 0), 0);
      expect(counted).toBe(summary.written);
    } finally {
      await store.close();
      await closeQueues(queues);
      await connection.quit();
      await demo.close();
      await cleanPrefix(prefix);
    }
  }, 120_000);
});
