import { startK3CloudSimulator, type K3CloudSimulator } from '../../src/k3cloud';
import { batchSave, login, post, query, statusOf } from './raw-k3';
import { waitFor } from './wait-for';

const bill = (fid: number) => ({
  FID: fid,
  FBillNo: `XSDD${fid}`,
  F_Cash_Collection_Id: `ORD-${fid}`,
  F_PBLH_Entity: [],
});
const addRow = (fid: number, no: string) => ({
  IsDeleteEntry: false,
  Model: [{ FID: fid, F_PBLH_Entity: [{ F_PBLH_CashCollectionNo: no }] }],
});
const rowsOf = (sim: K3CloudSimulator, fid: number) =>
  (sim.getBill('SAL_SaleOrder', fid)?.F_PBLH_Entity as unknown[]) ?? [];

describe('fault injection', () => {
  let sim: K3CloudSimulator;
  let cookie: string;

  beforeAll(async () => {
    sim = await startK3CloudSimulator({ bills: { SAL_SaleOrder: [1, 2, 3, 4, 5, 6].map(bill) }, seed: 42 });
    cookie = await login(sim);
  });
  afterAll(() => sim.close());
  afterEach(() => {
    Object.assign(sim.faults, {
      latencyMs: 0,
      networkControlOnOverlap: true,
      networkControlRate: 0,
      callLimitRate: 0,
      ambiguousRate: 0,
      errorRate: 0,
      malformedRate: 0,
      validationErrorRate: 0,
      sessionExpiryRate: 0,
    });
  });

  it('gives the later of two overlapping saves on one FID the 网控 answer and applies only the first', async () => {
    sim.faults.latencyMs = 300;
    const before = sim.stats.calls.BatchSave ?? 0;
    const first = batchSave(sim, cookie, addRow(1, 'HK-first'));
    await waitFor(() => (sim.stats.calls.BatchSave ?? 0) > before, 'first save to hold the bill');
    const second = await batchSave(sim, cookie, addRow(1, 'HK-second'));
    const status = statusOf(second.body);
    expect(status).toMatchObject({ IsSuccess: false, MsgCode: 0, ErrorCode: 500 });
    expect(status.Errors[0]?.Message).toBe(
      '“apiuser”使用业务单据：“销售订单”业务操作-“[销售订单-XSDD1-修改]”冲突，请稍候再使用。',
    );
    expect(statusOf((await first).body).IsSuccess).toBe(true);
    expect(rowsOf(sim, 1)).toEqual([expect.objectContaining({ F_PBLH_CashCollectionNo: 'HK-first' })]);
  });

  it('lets overlapping saves through when networkControlOnOverlap is off', async () => {
    sim.faults.latencyMs = 200;
    sim.faults.networkControlOnOverlap = false;
    const before = sim.stats.calls.BatchSave ?? 0;
    const first = batchSave(sim, cookie, addRow(2, 'A'));
    await waitFor(() => (sim.stats.calls.BatchSave ?? 0) > before, 'first save');
    const results = await Promise.all([first, batchSave(sim, cookie, addRow(2, 'B'))]);
    expect(results.map((r) => statusOf(r.body).IsSuccess)).toEqual([true, true]);
    expect(rowsOf(sim, 2)).toHaveLength(2);
  });

  it('answers MsgCode 14 for the call limit, wrapped for ExecuteBillQuery', async () => {
    sim.faults.callLimitRate = 1;
    expect(statusOf((await batchSave(sim, cookie, addRow(3, 'X'))).body)).toMatchObject({
      IsSuccess: false,
      MsgCode: 14,
    });
    expect(statusOf(((await query(sim, cookie, { FieldKeys: 'FID' })).body as unknown[][])[0]?.[0]).MsgCode).toBe(14);
    expect(rowsOf(sim, 3)).toEqual([]);
  });

  it('answers HTTP 500 with an HTML page (errorRate) and HTML with 200 (malformedRate), applying nothing', async () => {
    sim.faults.errorRate = 1;
    const failed = await batchSave(sim, cookie, addRow(3, 'X'));
    expect(failed.status).toBe(500);
    expect(failed.text).toMatch(/^<!DOCTYPE html>/);
    sim.faults.errorRate = 0;
    sim.faults.malformedRate = 1;
    const malformed = await batchSave(sim, cookie, addRow(3, 'X'));
    expect(malformed.status).toBe(200);
    expect(malformed.body).toBeUndefined();
    expect(rowsOf(sim, 3)).toEqual([]);
  });

  it('applies an ambiguous save, then drops the connection without an answer', async () => {
    sim.faults.ambiguousRate = 1;
    const drops = sim.stats.ambiguousDrops;
    await expect(batchSave(sim, cookie, addRow(4, 'HK-dropped'))).rejects.toThrow();
    expect(sim.stats.ambiguousDrops).toBe(drops + 1);
    expect(rowsOf(sim, 4)).toEqual([expect.objectContaining({ F_PBLH_CashCollectionNo: 'HK-dropped' })]);
  });

  it('fails models with MsgCode 11 at validationErrorRate and applies nothing for them', async () => {
    sim.faults.validationErrorRate = 1;
    const status = statusOf((await batchSave(sim, cookie, addRow(5, 'X'))).body);
    expect(status).toMatchObject({ IsSuccess: false, MsgCode: 11, Errors: [{ FieldName: 'FCustId', DIndex: 0 }] });
    expect(rowsOf(sim, 5)).toEqual([]);
  });

  it('expires the session at sessionExpiryRate (the next call still finds it gone)', async () => {
    const own = await login(sim);
    sim.faults.sessionExpiryRate = 1;
    expect(statusOf((await batchSave(sim, own, addRow(6, 'X'))).body).MsgCode).toBe(1);
    sim.faults.sessionExpiryRate = 0;
    expect(statusOf((await batchSave(sim, own, addRow(6, 'X'))).body).MsgCode).toBe(1);
    expect(rowsOf(sim, 6)).toEqual([]);
  });

  it('adds perRowLatencyMs for every entry row saved', async () => {
    sim.faults.perRowLatencyMs = 40;
    try {
      const started = Date.now();
      const rows = ['R1', 'R2', 'R3', 'R4'].map((no) => ({ F_PBLH_CashCollectionNo: no }));
      expect(
        statusOf(
          (await batchSave(sim, cookie, { IsDeleteEntry: false, Model: [{ FID: 6, F_PBLH_Entity: rows }] })).body,
        ).IsSuccess,
      ).toBe(true);
      expect(Date.now() - started).toBeGreaterThanOrEqual(4 * 40 - 5);
    } finally {
      sim.faults.perRowLatencyMs = 0;
    }
  });

  it('forces the next faults with failNext, whatever the rates', async () => {
    sim.failNext('callLimit', 2);
    const codes: number[] = [];
    for (let i = 0; i < 3; i++) {
      const body = (await query(sim, cookie, { FieldKeys: 'FID', FilterString: 'FID = 0' })).body as unknown[][];
      codes.push(body.length ? statusOf(body[0]?.[0]).MsgCode : 0);
    }
    expect(codes).toEqual([14, 14, 0]);
  });

  it('draws faults from the seed: the same seed gives the same sequence', async () => {
    const pattern = async () => {
      const s = await startK3CloudSimulator({ seed: 7, faults: { callLimitRate: 0.5 } });
      try {
        const c = await login(s);
        const out: number[] = [];
        for (let i = 0; i < 16; i++) {
          const body = (await query(s, c, { FieldKeys: 'FID' })).body as unknown[][];
          out.push(body.length ? statusOf(body[0]?.[0]).MsgCode : 0);
        }
        return out;
      } finally {
        await s.close();
      }
    };
    const a = await pattern();
    expect(await pattern()).toEqual(a);
    expect(a.filter((code) => code === 14).length).toBeGreaterThan(0);
    expect(a.filter((code) => code === 14).length).toBeLessThan(16);
  });
});

describe('concurrency queue', () => {
  it('processes at most maxConcurrent requests at once and queues the rest', async () => {
    // 300 ms per request: all six are in the server before the first wave ends, even on a loaded machine.
    const sim = await startK3CloudSimulator({ maxConcurrent: 2, faults: { latencyMs: 300 } });
    try {
      const cookie = await login(sim);
      const started = Date.now();
      const answers = await Promise.all(
        Array.from({ length: 6 }, () =>
          post(sim, 'ExecuteBillQuery', { data: { FormId: 'SAL_SaleOrder', FieldKeys: 'FID' } }, { Cookie: cookie }),
        ),
      );
      expect(answers.map((a) => a.body)).toEqual(Array.from({ length: 6 }, () => []));
      expect(sim.stats.peakProcessing).toBe(2);
      expect(sim.stats.peakConcurrent).toBe(6);
      expect(Date.now() - started).toBeGreaterThanOrEqual(3 * 300 - 5); // three waves of two
    } finally {
      await sim.close();
    }
  });
});
