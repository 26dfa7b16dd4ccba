import { randomUUID } from 'node:crypto';
import { loadConfig, startHealthServer, type HealthServer } from '@receipt-sync/core';
import { createDashboard, type ReconcileState } from '@receipt-sync/dashboard';
import { createRuntime, syncOnce, type Runtime } from '@receipt-sync/pipeline';
import { startReconcileRequests } from '@receipt-sync/reconcile';
import { startDemoEnvironment, type DemoEnvironment } from '@receipt-sync/simulators';
import { expectedOutcome, snapshotK3 } from './expectations';
import { cleanPrefix, envFor, waitFor } from './helpers';

const USER = 'operator';
const PASSWORD = 'reconcile-request-test';
const AUTH = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;

/**
 * The receipt page's "Reconcile this receipt" end to end: the dashboard queues the request, the
 * producer's request worker (OKKI and K3Cloud clients) answers it, the page shows the answer, and
 * with fix a row changed behind our back is written again by the pipeline.
 */
describe('reconcile this receipt from its page', () => {
  let demo: DemoEnvironment;
  let env: NodeJS.ProcessEnv;
  let rt: Runtime;
  let server: HealthServer;
  let stop: () => Promise<void>;
  const prefix = `e2e-recreq-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    demo = await startDemoEnvironment({ seed: 71, receipts: 30, orders: 8 });
    env = envFor(demo, prefix);
    await syncOnce(env);
    // As the producer runs it: OKKI required, K3Cloud used when configured.
    rt = await createRuntime(loadConfig(env), { name: 'writer', needsOkki: true, needsK3: true });
    const stage = startReconcileRequests(rt);
    stop = () => stage.close();
    const dashboard = createDashboard({
      queues: rt.queues,
      store: rt.store,
      logger: rt.logger,
      auth: { username: USER, password: PASSWORD, localOnly: false },
      locale: 'en',
    });
    server = await startHealthServer({ port: 0, host: '127.0.0.1', checks: {}, extraRoutes: (a) => a.use(dashboard) });
  }, 120_000);

  afterAll(async () => {
    await stop?.();
    await server?.close();
    await rt?.close();
    await demo?.close();
    await cleanPrefix(prefix);
  });

  const ask = (key: string, body: unknown) =>
    fetch(`${server.url}/api/receipts/${encodeURIComponent(key)}/reconcile`, {
      method: 'POST',
      headers: { authorization: AUTH, 'content-type': 'application/json', 'x-requested-with': 'receipt-sync' },
      body: JSON.stringify(body),
    });

  async function answered(receiptId: string): Promise<ReconcileState> {
    let state: ReconcileState | undefined;
    await waitFor(
      async () => {
        const res = await fetch(`${server.url}/api/receipts/${receiptId}`, { headers: { authorization: AUTH } });
        state = ((await res.json()) as { receipt: { reconcile?: ReconcileState } }).receipt.reconcile;
        return state?.state === 'completed' || state?.state === 'failed';
      },
      60_000,
      `the reconcile request of receipt ${receiptId} to finish`,
    );
    return state!;
  }

  const page = async (receiptId: string) =>
    (await fetch(`${server.url}/receipts/${receiptId}`, { headers: { authorization: AUTH } })).text();

  it('a written receipt reconciles clean', async () => {
    const [no] = [...expectedOutcome(demo).written][0]!;
    const entry = (await rt.store.ledger.findByReceiptNo(no))[0]!;
    const res = await ask(no, {});
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ jobId: `reconcile-${entry.receiptId}`, state: 'waiting' });

    const state = await answered(entry.receiptId);
    expect(state).toMatchObject({ state: 'completed', fix: false, result: { clean: true, findings: [] } });
    expect(state.result!.scanned.okkiReceipts).toBeGreaterThan(0);
    expect(await page(entry.receiptId)).toContain('Clean: OKKI, K3Cloud and the ledger agree on this version.');
  }, 90_000);

  it('a row changed in K3Cloud is found stale, and with fix the receipt is written again with its OKKI value', async () => {
    const [no, fid] = [...expectedOutcome(demo).written][1]!;
    const entry = (await rt.store.ledger.findByReceiptNo(no))[0]!;
    const rowOf = () => snapshotK3(demo).rowsByNo.get(no)![0]!.row;
    const original = rowOf().F_PBLH_Decimal;
    // Someone edits the received amount by hand in K3Cloud.
    await rt.k3!.save(
      'SAL_SaleOrder',
      { FID: fid, F_PBLH_Entity: [{ FEntryID: rowOf().FEntryID, F_PBLH_Decimal: '1.00' }] },
      { isDeleteEntry: false },
    );

    expect((await ask(entry.receiptId, { fix: true })).status).toBe(202);
    const state = await answered(entry.receiptId);
    expect(state.state).toBe('completed');
    const result = state.result!;
    expect(result.clean).toBe(false);
    expect(result.findings).toEqual([
      expect.objectContaining({
        category: 'stale',
        fid,
        fields: [expect.objectContaining({ field: 'F_PBLH_Decimal' })],
      }),
    ]);
    expect(result.findings[0]).not.toHaveProperty('source');
    expect(result.fix?.enqueued).toEqual([expect.objectContaining({ receiptNo: no, categories: ['stale'] })]);
    const html = await page(entry.receiptId);
    expect(html).toContain('stale');
    expect(html).toContain('Sent again through the pipeline');

    // The running pipeline (here: one sync cycle) writes the re-sent receipt.
    await syncOnce(env);
    expect(Number(rowOf().F_PBLH_Decimal)).toBe(Number(original));
    expect((await rt.store.ledger.get(entry.receiptId))?.status).toBe('written');

    // Asked again (the finished request is replaced): clean now.
    expect((await ask(entry.receiptId, {})).status).toBe(202);
    expect((await answered(entry.receiptId)).result).toMatchObject({ clean: true });
  }, 120_000);
});
