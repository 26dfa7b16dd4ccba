import { randomUUID } from 'node:crypto';
import { startDemoEnvironment, type DemoEnvironment } from '@receipt-sync/simulators';
import { closeQueues, createQueues, createRedisConnection, syncOnce } from '@receipt-sync/pipeline';
import { assertExactlyOnce, expectedOutcome, snapshotK3 } from './expectations';
import { cleanPrefix, envFor, redisUrl } from './helpers';

/**
 * Timelines real OKKI and K3Cloud produce and a plain sync never meets (issue 16): a receipt moved
 * to another order, two edits within one second, a save K3Cloud applies after the client gave up,
 * a remark the site's request filter refuses. Each asserts what finance reads in K3Cloud.
 */
describe('what K3Cloud holds after timelines real systems produce', () => {
  const prefixes: string[] = [];
  const envs: DemoEnvironment[] = [];
  const start = async (options: Parameters<typeof startDemoEnvironment>[0]) => {
    const demo = await startDemoEnvironment(options);
    envs.push(demo);
    const prefix = `e2e-tl-${randomUUID().slice(0, 8)}`;
    prefixes.push(prefix);
    return { demo, prefix };
  };
  afterAll(async () => {
    for (const d of envs) await d.close();
    for (const p of prefixes) await cleanPrefix(p);
  });

  /** Active (not flagged removed) rows of one receipt number, with the order each is on. */
  const activeRows = (demo: DemoEnvironment, no: string) =>
    (snapshotK3(demo).rowsByNo.get(no) ?? []).filter((r) => r.row.F_PBLH_Removed !== true);

  it('moves a re-linked receipt: written on its new order and flagged removed on the old one; an unlinked one is flagged', async () => {
    const { demo, prefix } = await start({ seed: 21, receipts: 40, orders: 10 });
    await syncOnce(envFor(demo, prefix));
    const written = expectedOutcome(demo).written;
    const [moved, unlinked] = demo.okki
      .allReceipts({ removed: false })
      .filter((r) => written.has(r.cash_collection_no))
      .slice(0, 2);
    const target = demo.okki
      .allReceipts({ removed: false })
      .find((r) => written.has(r.cash_collection_no) && r.order_id !== moved!.order_id)!;
    const oldFid = written.get(moved!.cash_collection_no)!;
    const newFid = written.get(target.cash_collection_no)!;
    demo.okki.relinkReceipt(moved!.cash_collection_id, target.order_id);
    demo.okki.relinkReceipt(unlinked!.cash_collection_id, 0);

    await syncOnce(envFor(demo, prefix));

    const rows = snapshotK3(demo).rowsByNo.get(moved!.cash_collection_no)!;
    expect(activeRows(demo, moved!.cash_collection_no).map((r) => r.fid)).toEqual([newFid]);
    expect(rows.find((r) => r.fid === oldFid)?.row.F_PBLH_Removed).toBe(true);
    // Unlinked (order_id 0): flagged removed where it was, active nowhere.
    expect(activeRows(demo, unlinked!.cash_collection_no)).toEqual([]);
    expect(snapshotK3(demo).rowsByNo.get(unlinked!.cash_collection_no)).toHaveLength(1);
  }, 180_000);

  it('writes the second of two edits made within one update_time second', async () => {
    const { demo, prefix } = await start({ seed: 22, receipts: 20, orders: 5 });
    await syncOnce(envFor(demo, prefix));
    const written = expectedOutcome(demo).written;
    const r = demo.okki.allReceipts({ removed: false }).find((x) => written.has(x.cash_collection_no))!;
    demo.okki.editReceipt(r.cash_collection_id, { comment: 'first edit' });
    await syncOnce(envFor(demo, prefix));
    expect(activeRows(demo, r.cash_collection_no)[0]!.row.F_PBLH_Remark).toBe('first edit');
    // Later in the same second: OKKI keeps the stamp, the content is new.
    demo.okki.editReceipt(r.cash_collection_id, { comment: 'second edit' }, { keepUpdateTime: true });
    await syncOnce(envFor(demo, prefix));
    const rows = activeRows(demo, r.cash_collection_no);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.row.F_PBLH_Remark).toBe('second edit');
  }, 180_000);

  it('does not send a row again while a save without an answer may still land, so it lands once', async () => {
    const { demo, prefix } = await start({ seed: 23, receipts: 30, orders: 6 });
    // The first BatchSave is queued past the client's deadline and applied 1.5 s after it left.
    demo.k3.faults.lateSaveAnswer = 'hold';
    demo.k3.faults.lateSaveApplyAfterMs = 1_500;
    demo.k3.failNext('lateSave', 1);
    await syncOnce(envFor(demo, prefix, { KINGDEE_TIMEOUT_MS: '700', KINGDEE_LATE_WRITE_SECONDS: '5' }));
    await demo.k3.lateSavesSettled();
    expect(demo.k3.stats.lateSavesApplied).toBe(1);
    assertExactlyOnce(demo, snapshotK3(demo), expectedOutcome(demo));
  }, 180_000);

  it("holds back only the receipt whose remark K3Cloud's request filter refuses, with K3Cloud's message", async () => {
    const { demo, prefix } = await start({ seed: 24, receipts: 30, orders: 4 });
    const bad = demo.okki.allReceipts({ removed: false }).find((r) => r.order_id)!;
    demo.okki.editReceipt(bad.cash_collection_id, { comment: '<b>加急</b> 见附件<PI-118>' });
    // A long linger gathers the whole window into one or two BatchSaves, so the bad row shares a save with good ones.
    const summary = await syncOnce(envFor(demo, prefix, { WRITER_LINGER_MS: '1500' }));
    const expected = expectedOutcome(demo);
    expect(demo.k3.stats.requestsFiltered).toBeGreaterThan(0);
    expect(snapshotK3(demo).rowsByNo.get(bad.cash_collection_no)).toBeUndefined();
    for (const [no, fid] of expected.written) {
      if (no === bad.cash_collection_no) continue;
      expect(activeRows(demo, no).map((r) => r.fid)).toEqual([fid]);
    }
    expect(summary.deadLettered).toBe(
      expected.missingOrder.length + (expected.written.has(bad.cash_collection_no) ? 1 : 0),
    );
    const connection = createRedisConnection(redisUrl);
    const queues = createQueues(connection, prefix);
    try {
      const letters = await queues['dead-letter'].getJobs(['wait', 'completed', 'failed', 'delayed']);
      const letter = letters.find((j) => j.data.receiptNo === bad.cash_collection_no);
      expect(letter?.data).toMatchObject({ code: 'k3cloud.request-filtered' });
      expect(letter?.data.reason).toContain('请求参数存在可疑数据');
    } finally {
      await closeQueues(queues);
      await connection.quit();
    }
  }, 180_000);
});
