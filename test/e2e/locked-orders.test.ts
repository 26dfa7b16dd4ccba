import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { formatChinaTime, loadConfig } from '@receipt-sync/core';
import { createRuntime, K3CloudAttention, syncOnce, type SyncOnceSummary } from '@receipt-sync/pipeline';
import { reconcile } from '@receipt-sync/reconcile';
import { createRng, mutateReceipt, startDemoEnvironment, type DemoEnvironment } from '@receipt-sync/simulators';
import { assertExactlyOnce, expectedOutcome, snapshotK3, type Expected } from './expectations';
import { cleanPrefix, envFor, redisUrl } from './helpers';

type Bill = Record<string, unknown> & { FID: number };

/** FID → [status, receipt rows] of every order, to prove locked orders were left as they were. */
function orderState(demo: DemoEnvironment): Map<number, string> {
  const out = new Map<number, string>();
  for (const b of demo.k3.allBills('SAL_SaleOrder') as Bill[])
    out.set(b.FID, JSON.stringify([b.FDocumentStatus ?? 'A', b.F_PBLH_Entity ?? []]));
  return out;
}

const lockedFids = (demo: DemoEnvironment, statuses = ['B', 'C']) =>
  new Set(
    (demo.k3.allBills('SAL_SaleOrder') as Bill[])
      .filter((b) => statuses.includes(String(b.FDocumentStatus)))
      .map((b) => b.FID),
  );

/** Splits the expected outcome into receipts on orders K3Cloud locks and the others. */
function split(expected: Expected, locked: Set<number>) {
  const free = new Map([...expected.written].filter(([, fid]) => !locked.has(fid)));
  const onLocked = [...expected.written].filter(([, fid]) => locked.has(fid)).map(([no]) => no);
  return { free: { ...expected, written: free }, onLocked };
}

async function deadLetters(prefix: string): Promise<Array<{ code: string; reason: string; receiptNo?: string }>> {
  const connection = new IORedis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue('dead-letter', { connection, prefix });
  try {
    const jobs = await queue.getJobs(['wait', 'delayed', 'completed', 'failed']);
    return jobs.map((j) => j.data as { code: string; reason: string; receiptNo?: string });
  } finally {
    await queue.close();
    await connection.quit();
  }
}

function expectConsistent(s: SyncOnceSummary): void {
  expect(s.written + s.unchanged + s.quarantined + s.deadLettered).toBe(s.fetched);
}

describe('sales orders K3Cloud locks (audited / in approval), end to end through sync:once', () => {
  const prefixes: string[] = [];
  afterAll(async () => {
    for (const p of prefixes) await cleanPrefix(p);
  });
  const newPrefix = () => {
    const p = `e2e-lock-${randomUUID().slice(0, 8)}`;
    prefixes.push(p);
    return p;
  };

  it.each(['reject', 'ignore'] as const)(
    '%s mode, policy wait: no receipt of a locked order counts as written, its rows stay as they were',
    async (lockedSave) => {
      const demo = await startDemoEnvironment({
        seed: 31,
        receipts: 160,
        orders: 40,
        auditedOrderRate: 0.2,
        inApprovalOrderRate: 0.1,
        lockedSave,
      });
      const prefix = newPrefix();
      try {
        const locked = lockedFids(demo);
        expect(locked.size).toBeGreaterThanOrEqual(8);
        const before = orderState(demo);
        const { free, onLocked } = split(expectedOutcome(demo), locked);
        expect(onLocked.length).toBeGreaterThan(0);

        const summary = await syncOnce(envFor(demo, prefix));
        const snap = snapshotK3(demo);
        assertExactlyOnce(demo, snap, free);
        for (const no of onLocked) expect(snap.rowsByNo.has(no)).toBe(false);
        const after = orderState(demo);
        for (const fid of locked) expect(after.get(fid)).toBe(before.get(fid));
        expect(summary.written).toBe(free.written.size);
        expect(summary.deadLettered).toBe(free.missingOrder.length + onLocked.length);
        expectConsistent(summary);

        const locks = (await deadLetters(prefix)).filter((d) => d.code === 'k3cloud.order-locked');
        expect(locks.map((d) => d.receiptNo).sort()).toEqual([...onLocked].sort());
        for (const d of locks) expect(d.reason).toMatch(/sales order XSDD\d{6} is locked \(status [BC] /);
        if (lockedSave === 'ignore')
          for (const d of locks) expect(d.reason).toMatch(/reported the save as successful but kept the locked values/);
      } finally {
        await demo.close();
      }
    },
    180_000,
  );

  it('ignore mode: an edit to a written receipt on an order audited since is not counted, and reconcile names the same fields', async () => {
    const demo = await startDemoEnvironment({ seed: 37, receipts: 60, orders: 15, lockedSave: 'ignore' });
    const prefix = newPrefix();
    const env = envFor(demo, prefix);
    const rt = await createRuntime(loadConfig(env), { name: 'lock-reconcile', needsOkki: true, needsK3: true });
    try {
      expectConsistent(await syncOnce(env));
      const [no, fid] = [...expectedOutcome(demo).written][0]!;
      const rowBefore = JSON.stringify(snapshotK3(demo).rowsByNo.get(no));
      demo.k3.setDocumentStatus('SAL_SaleOrder', fid, 'C');
      const receipt = demo.okki.allReceipts().find((r) => r.cash_collection_no === no)!;
      demo.okki.upsertReceipt(mutateReceipt(receipt, createRng(5)));

      const second = await syncOnce(env);
      expect(second).toMatchObject({ fetched: 1, written: 0, deadLettered: 1 });
      expectConsistent(second);
      expect(JSON.stringify(snapshotK3(demo).rowsByNo.get(no))).toBe(rowBefore);
      const [dead] = (await deadLetters(prefix)).filter((d) => d.receiptNo === no);
      expect(dead?.code).toBe('k3cloud.order-locked');
      expect(dead?.reason).toMatch(/kept the locked values \(F_PBLH_\w+ sent /);

      const window = { from: '2025-04-01 00:00:00', to: formatChinaTime(new Date()) };
      const report = await reconcile(
        { source: rt.okki!, k3: rt.k3!, ledger: rt.store.ledger, mapping: rt.mapping, info: rt.okki! },
        window,
      );
      const stale = report.findings.find((f) => f.receiptNo === no);
      expect(stale?.category).toBe('stale');
      const staleFields = stale!.fields!.map((f) => f.field);
      expect(staleFields.length).toBeGreaterThan(0);
      const deadFields = [...dead!.reason.matchAll(/(F_PBLH_\w+) sent/g)].map((m) => m[1]);
      expect(deadFields.sort()).toEqual([...staleFields].sort());
    } finally {
      await rt.close();
      await demo.close();
    }
  }, 180_000);

  it('policy unaudit: receipts on audited orders are written and the orders end audited again', async () => {
    const demo = await startDemoEnvironment({ seed: 41, receipts: 120, orders: 30, auditedOrderRate: 0.3 });
    const prefix = newPrefix();
    try {
      const audited = lockedFids(demo, ['C']);
      const expected = expectedOutcome(demo);
      const summary = await syncOnce(envFor(demo, prefix, { KINGDEE_LOCKED_ORDER_POLICY: 'unaudit' }));
      assertExactlyOnce(demo, snapshotK3(demo), expected);
      expect(summary.written).toBe(expected.written.size);
      expectConsistent(summary);
      for (const fid of audited) expect(demo.k3.getBill('SAL_SaleOrder', fid)?.FDocumentStatus).toBe('C');
      const usedAudited = new Set([...expected.written.values()].filter((fid) => audited.has(fid)));
      expect(usedAudited.size).toBeGreaterThan(0);
      // Every UnAudit is followed by Submit and Audit (an order's rows may arrive in more than one batch).
      expect(demo.k3.stats.calls.UnAudit).toBeGreaterThanOrEqual(usedAudited.size);
      expect(demo.k3.stats.calls.Submit).toBe(demo.k3.stats.calls.UnAudit);
      expect(demo.k3.stats.calls.Audit).toBe(demo.k3.stats.calls.UnAudit);
    } finally {
      await demo.close();
    }
  }, 180_000);

  it('policy unaudit: UnAudit refused leaves the order audited; a failed re-audit is dead-lettered naming the order and flagged', async () => {
    const demo = await startDemoEnvironment({ seed: 43, receipts: 80, orders: 20, auditedOrderRate: 0.3 });
    const prefix = newPrefix();
    try {
      const expected = expectedOutcome(demo);
      const used = [...new Set([...expected.written.values()])].filter((fid) => lockedFids(demo, ['C']).has(fid));
      expect(used.length).toBeGreaterThanOrEqual(2);
      const [downstream, credit] = used as [number, number];
      demo.k3.refuse('UnAudit', downstream);
      demo.k3.refuse('Audit', credit, '信用额度不足，不能审核！');
      const billNo = (fid: number) => String(demo.k3.getBill('SAL_SaleOrder', fid)?.FBillNo);
      const rowsOf = (fid: number) => [...expected.written].filter(([, f]) => f === fid).map(([no]) => no);
      const before = orderState(demo).get(downstream);

      const summary = await syncOnce(envFor(demo, prefix, { KINGDEE_LOCKED_ORDER_POLICY: 'unaudit' }));
      expectConsistent(summary);
      expect(orderState(demo).get(downstream)).toBe(before);
      expect(demo.k3.getBill('SAL_SaleOrder', credit)?.FDocumentStatus).toBe('B');
      const others = new Map([...expected.written].filter(([, fid]) => fid !== downstream && fid !== credit));
      assertExactlyOnce(demo, snapshotK3(demo), { ...expected, written: others });
      expect(summary.written).toBe(others.size);

      const dead = await deadLetters(prefix);
      const byNo = new Map(dead.map((d) => [d.receiptNo, d]));
      for (const no of rowsOf(downstream)) {
        expect(byNo.get(no)?.code).toBe('k3cloud.order-locked');
        expect(byNo.get(no)?.reason).toMatch(
          new RegExp(`${billNo(downstream)} is locked .*UnAudit refused.*已有下游单据`),
        );
      }
      // The first batch un-audits the order and cannot audit it again: it stays in B, so rows of
      // a later batch on it wait as locked (status B is never un-audited).
      const creditDead = rowsOf(credit).map((no) => byNo.get(no)!);
      const reaudit = creditDead.filter((d) => d.code === 'k3cloud.reaudit-failed');
      expect(reaudit.length).toBeGreaterThan(0);
      for (const d of reaudit)
        expect(d.reason).toMatch(
          new RegExp(`sales order ${billNo(credit)} was un-audited.*re-audit failed.*信用额度不足`),
        );
      for (const d of creditDead.filter((x) => x.code !== 'k3cloud.reaudit-failed'))
        expect(d.reason).toMatch(new RegExp(`${billNo(credit)} is locked \\(status B`));
      const connection = new IORedis(redisUrl);
      try {
        const flagged = await new K3CloudAttention(connection, prefix).unauditedOrders();
        expect(flagged.map((o) => o.billNo)).toEqual([billNo(credit)]);
      } finally {
        await connection.quit();
      }
    } finally {
      await demo.close();
    }
  }, 180_000);
});
