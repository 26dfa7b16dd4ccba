import { AmbiguousWriteError } from '@receipt-sync/core';
import { rowsOf, salesOrder, startHarness, type Harness } from './harness';

/**
 * docs/apis/k3cloud.md §5.4: K3Cloud queues WebAPI calls and does not cancel one whose client gave
 * up. The simulator's late save reproduces that; these tests drive it through the real client.
 */
const newRow = (no: string) => ({ F_PBLH_CashCollectionNo: no, F_PBLH_Decimal: '10.00' });
const numbers = (h: Harness, fid: number) => rowsOf(h.sim, fid).map((r) => r.F_PBLH_CashCollectionNo);

async function ambiguous(promise: Promise<unknown>): Promise<AmbiguousWriteError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AmbiguousWriteError);
  return error as AmbiguousWriteError;
}

describe('late saves: applied after the client has left', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ bills: { SAL_SaleOrder: [1, 2, 3, 4].map((n) => salesOrder(n)) } });
  });
  afterAll(() => h.close());
  afterEach(async () => {
    await h.sim.releaseLateSaves();
    Object.assign(h.sim.faults, { lateSaveRate: 0, lateSaveAnswer: 'hold', lateSaveApplyAfterMs: 0 });
  });

  it('a save held past the deadline lands after its re-send: two rows for one receipt sent with FEntryID 0', async () => {
    const client = h.client({ timeoutMs: 300 });
    h.sim.faults.lateSaveApplyAfterMs = null; // applied when the test says so
    h.sim.failNext('lateSave');
    const save = () =>
      client.batchSave('SAL_SaleOrder', [{ FID: 1, F_PBLH_Entity: [newRow('HK-1-late')] }], {
        isDeleteEntry: false,
      });
    const error = await ambiguous(save());
    expect(error.message).toContain('no answer within 300 ms');
    expect(numbers(h, 1)).toEqual([]);
    expect(h.sim.pendingLateSaves()).toBe(1);
    expect((await save()).results[0]?.ok).toBe(true);
    expect(numbers(h, 1)).toEqual(['HK-1-late']);
    expect(await h.sim.releaseLateSaves()).toBe(1);
    expect(numbers(h, 1)).toEqual(['HK-1-late', 'HK-1-late']);
    expect(
      h.audit.entries
        .filter((e) => e.operation === 'BatchSave')
        .slice(-2)
        .map((e) => e.outcome),
    ).toEqual(['ambiguous', 'ok']);
  });

  it('a dropped connection: the client sees an ambiguous write, the save is applied a moment later', async () => {
    const client = h.client();
    Object.assign(h.sim.faults, { lateSaveAnswer: 'drop', lateSaveApplyAfterMs: 20 });
    h.sim.failNext('lateSave');
    const applied = h.sim.stats.lateSavesApplied;
    const error = await ambiguous(
      client.batchSave('SAL_SaleOrder', [{ FID: 2, F_PBLH_Entity: [newRow('HK-2-late')] }], { isDeleteEntry: false }),
    );
    expect(error.message).toContain('connection lost after sending');
    await h.sim.lateSavesSettled();
    expect(h.sim.stats.lateSavesApplied).toBe(applied + 1);
    expect(numbers(h, 2)).toEqual(['HK-2-late']);
  });

  it('a held save is applied on its own once the client has given up (Save as well as BatchSave)', async () => {
    const client = h.client({ timeoutMs: 200 });
    h.sim.failNext('lateSave');
    await ambiguous(
      client.save('SAL_SaleOrder', { FID: 3, F_PBLH_Entity: [newRow('HK-3-late')] }, { isDeleteEntry: false }),
    );
    await h.sim.lateSavesSettled();
    expect(h.sim.pendingLateSaves()).toBe(0);
    expect(numbers(h, 3)).toEqual(['HK-3-late']);
  });

  it('a client still waiting when the queued save runs gets its answer', async () => {
    const client = h.client({ timeoutMs: 5_000 });
    h.sim.faults.lateSaveApplyAfterMs = null;
    h.sim.failNext('lateSave');
    const queued = h.sim.stats.lateSavesQueued;
    const pending = client.batchSave('SAL_SaleOrder', [{ FID: 4, F_PBLH_Entity: [newRow('HK-4-queued')] }], {
      isDeleteEntry: false,
    });
    const deadline = Date.now() + 5_000;
    while (h.sim.stats.lateSavesQueued === queued && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    expect(await h.sim.releaseLateSaves()).toBe(1);
    expect((await pending).results[0]).toMatchObject({ ok: true, id: 4 });
    expect(numbers(h, 4)).toEqual(['HK-4-queued']);
  });
});
