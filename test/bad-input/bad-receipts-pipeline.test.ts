import { randomUUID } from 'node:crypto';
import { startDemoEnvironment } from '@receipt-sync/simulators';
import { createQueues, createRedisConnection, closeQueues, DeadLetterJobSchema } from '@receipt-sync/pipeline';
import { syncOnce } from '@receipt-sync/pipeline';
import { cleanPrefix, envFor } from '../e2e/helpers';

describe('bad receipts through the whole pipeline', () => {
  it('quarantines each with a reason that names the field and the receipt; nothing crashes or disappears', async () => {
    const demo = await startDemoEnvironment({ seed: 61, receipts: 60, orders: 15 });
    const prefix = `e2e-bad-${randomUUID().slice(0, 8)}`;
    const env = envFor(demo, prefix);
    const good = demo.okki.allReceipts({ removed: false }).filter((r) => r.order_id);
    const broken = [
      { ...good[0]!, real_amount: 'abc' },
      { ...good[1]!, collection_date: '2025-02-30' },
      { ...good[2]!, amount: '-5.00', real_amount: '-6.00' },
      { ...good[3]!, comment: 'x'.repeat(100_000) + '\u0000\uD800' },
      { ...good[4]!, real_amount: '999.99' }, // ≠ amount − bank_charge
      { ...good[5]!, cash_collection_no: [] as unknown as string },
    ];
    for (const r of broken) demo.okki.upsertReceipt(r as (typeof good)[number]);
    demo.okki.faults.corruptReceiptIds = [good[6]!.cash_collection_id];
    const connection = createRedisConnection(env.REDIS_URL!);
    const queues = createQueues(connection, prefix);
    try {
      const summary = await syncOnce(env);
      expect(summary.written + summary.unchanged + summary.quarantined + summary.deadLettered).toBe(summary.fetched);
      const quarantined = (await queues.quarantine.getJobs(['wait', 'prioritized', 'delayed'], 0, 1000)).map((j) =>
        DeadLetterJobSchema.parse(j.data),
      );
      const reasonFor = (no: string) => quarantined.find((q) => q.reason.includes(no))?.reason;
      expect(reasonFor(good[0]!.cash_collection_no)).toMatch(/real_amount/);
      expect(reasonFor(good[1]!.cash_collection_no)).toMatch(/collection_date/);
      expect(reasonFor(good[2]!.cash_collection_no)).toMatch(/amount/);
      expect(reasonFor(good[4]!.cash_collection_no)).toMatch(/real_amount/);
      // Each problem also carries its catalogue key, so a Chinese page can say it (docs/i18n.md).
      const amountProblem = quarantined.find((q) => q.reason.includes(good[0]!.cash_collection_no));
      expect(amountProblem?.why?.[0]).toMatchObject({ params: { field: 'real_amount' } });
      expect(quarantined.some((q) => q.code === 'input.invalid' && /unreadable/.test(q.reason))).toBe(true);
      // The over-long remark is cut, not fatal: that receipt is written.
      const long = demo.k3
        .findBills('SAL_SaleOrder', () => true)
        .flatMap((b) => (b.F_PBLH_Entity as Array<Record<string, unknown>>) ?? [])
        .find((row) => row.F_PBLH_CashCollectionNo === good[3]!.cash_collection_no);
      expect(long).toBeDefined();
      expect(String(long!.F_PBLH_Remark).length).toBeLessThanOrEqual(255);
      expect(
        quarantined.some(
          (q) => q.receiptId === String(good[5]!.cash_collection_id) && /cash_collection_no/.test(q.reason),
        ),
      ).toBe(true);
    } finally {
      await closeQueues(queues);
      await connection.quit();
      await demo.close();
      await cleanPrefix(prefix);
    }
  }, 120_000);
});
