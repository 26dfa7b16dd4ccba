import {
  AmbiguousWriteError,
  HttpStatusError,
  K3CloudCallLimitError,
  K3CloudNetworkControlError,
  K3CloudRejectedError,
  K3CloudFieldUnknownError,
  MalformedResponseError,
  NetworkError,
} from '@receipt-sync/core';
import { startK3CloudSimulator } from '@receipt-sync/simulators';
import { K3CloudClient } from '../src';
import { rowsOf, salesOrder, startHarness, type Harness } from './harness';

const receiptRow = (no: string, amount = '10.00') => ({ F_PBLH_CashCollectionNo: no, F_PBLH_Decimal: amount });

describe('writes: BatchSave / Save results and faults', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({
      bills: {
        SAL_SaleOrder: [1, 2, 3, 4, 5, 6, 7, 8].map((n) => salesOrder(n, [{ no: `HK-${n}-a` }, { no: `HK-${n}-b` }])),
      },
    });
  });
  afterAll(() => h.close());
  afterEach(() => {
    Object.assign(h.sim.faults, {
      latencyMs: 0,
      callLimitRate: 0,
      ambiguousRate: 0,
      errorRate: 0,
      malformedRate: 0,
      networkControlRate: 0,
    });
  });

  it('IsDeleteEntry false updates one row and keeps the others; the server default deletes them', async () => {
    const client = h.client();
    const [first] = rowsOf(h.sim, 1);
    const kept = await client.batchSave(
      'SAL_SaleOrder',
      [{ FID: 1, F_PBLH_Entity: [{ FEntryID: first?.FEntryID, F_PBLH_Decimal: '99.00' }] }],
      { isDeleteEntry: false },
    );
    expect(kept.results).toEqual([{ dIndex: 0, ok: true, id: 1, number: 'XSDD1', errors: [] }]);
    expect(rowsOf(h.sim, 1).map((r) => [r.F_PBLH_CashCollectionNo, r.F_PBLH_Decimal])).toEqual([
      ['HK-1-a', '99.00'],
      ['HK-1-b', '10.00'],
    ]);
    await client.batchSave('SAL_SaleOrder', [{ FID: 1, F_PBLH_Entity: [{ FEntryID: first?.FEntryID }] }]);
    expect(rowsOf(h.sim, 1).map((r) => r.F_PBLH_CashCollectionNo)).toEqual(['HK-1-a']);
  });

  it('returns NeedReturnData so a new row can be matched to its FEntryID', async () => {
    const client = h.client();
    const saved = await client.save(
      'SAL_SaleOrder',
      { FID: 2, F_PBLH_Entity: [receiptRow('HK-2-new')] },
      {
        isDeleteEntry: false,
        needReturnFields: ['F_PBLH_Entity.FEntryID', 'F_PBLH_Entity.F_PBLH_CashCollectionNo'],
      },
    );
    expect(saved).toMatchObject({ id: 2, number: 'XSDD2' });
    const rows = (
      saved.needReturnData[0] as { F_PBLH_Entity: Array<{ FEntryID: number; F_PBLH_CashCollectionNo: string }> }
    ).F_PBLH_Entity;
    const created = rows.find((r) => r.F_PBLH_CashCollectionNo === 'HK-2-new');
    expect(rowsOf(h.sim, 2).find((r) => r.FEntryID === created?.FEntryID)?.F_PBLH_CashCollectionNo).toBe('HK-2-new');
  });

  it('maps validation errors per DIndex and reports the applied models (partial success)', async () => {
    const client = h.client();
    const outcome = await client.batchSave(
      'SAL_SaleOrder',
      [
        { FID: 3, F_PBLH_Entity: [receiptRow('HK-3-new')] },
        { FID: 4, F_PBLH_Entity: [{ F_PBLH_NoSuchField: 'x' }] },
        { FID: 999_999, F_PBLH_Entity: [receiptRow('HK-x')] },
        { FID: 5, F_PBLH_Entity: [receiptRow('HK-5-new')] },
      ],
      { isDeleteEntry: false },
    );
    const [a, b, c, d] = outcome.results;
    expect(a).toMatchObject({ dIndex: 0, ok: true, id: 3 });
    expect(b).toMatchObject({
      dIndex: 1,
      ok: false,
      errors: [{ fieldName: 'F_PBLH_NoSuchField', message: '元数据中标识为F_PBLH_NoSuchField的字段不存在', dIndex: 1 }],
    });
    expect(b?.error).toBeInstanceOf(K3CloudFieldUnknownError);
    expect(c).toMatchObject({ dIndex: 2, ok: false });
    expect(c?.error?.message).toContain('未找到对应数据');
    expect(d).toMatchObject({ dIndex: 3, ok: true, id: 5 });
    expect(rowsOf(h.sim, 3).map((r) => r.F_PBLH_CashCollectionNo)).toContain('HK-3-new');
    expect(rowsOf(h.sim, 4)).toHaveLength(2);
    const audited = h.audit.entries.filter((e) => e.operation === 'BatchSave').at(-1);
    expect(audited).toMatchObject({ outcome: 'business-error', message: '2 of 4 models rejected' });
  });

  it('maps results back to models when BatchCount makes DIndex restart per batch', async () => {
    const client = h.client();
    const models = [3, 4, 5, 6, 7, 8].map((fid, i) =>
      i === 4 ? { FID: fid, F_Bad: 1 } : { FID: fid, F_PBLH_Entity: [receiptRow(`HK-bc-${i}`)] },
    );
    const outcome = await client.batchSave('SAL_SaleOrder', models, { isDeleteEntry: false, batchCount: 2 });
    expect(outcome.results.map((r) => [r.dIndex, r.ok])).toEqual([
      [0, true],
      [1, true],
      [2, true],
      [3, true],
      [4, false],
      [5, true],
    ]);
    expect(outcome.results[4]?.errors[0]?.fieldName).toBe('F_Bad');
    expect(outcome.results.map((r) => r.id)).toEqual([3, 4, 5, 6, undefined, 8]);
  });

  it('surfaces a network-control conflict typed: save throws, batchSave reports it per model', async () => {
    const client = h.client();
    h.sim.faults.latencyMs = 300;
    const before = h.sim.stats.calls.BatchSave ?? 0;
    const holder = client.batchSave('SAL_SaleOrder', [{ FID: 6, F_PBLH_Entity: [receiptRow('HK-6-hold')] }], {
      isDeleteEntry: false,
    });
    const deadline = Date.now() + 5_000;
    while ((h.sim.stats.calls.BatchSave ?? 0) === before && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 2));
    const conflict = await client
      .save('SAL_SaleOrder', { FID: 6, F_PBLH_Entity: [receiptRow('HK-6-late')] }, { isDeleteEntry: false })
      .catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(K3CloudNetworkControlError);
    expect((conflict as K3CloudNetworkControlError).disposition).toBe('transient');
    expect((await holder).results[0]?.ok).toBe(true);
    h.sim.faults.latencyMs = 0;
    h.sim.faults.networkControlRate = 1;
    const batch = await client.batchSave('SAL_SaleOrder', [{ FID: 6, F_PBLH_Entity: [receiptRow('HK-6-nc')] }], {
      isDeleteEntry: false,
    });
    expect(batch.results[0]?.error).toBeInstanceOf(K3CloudNetworkControlError);
    expect(rowsOf(h.sim, 6).map((r) => r.F_PBLH_CashCollectionNo)).not.toContain('HK-6-nc');
  });

  it('throws K3CloudCallLimitError (rate-limited) for MsgCode 14', async () => {
    const client = h.client();
    h.sim.faults.callLimitRate = 1;
    const error = await client.batchSave('SAL_SaleOrder', [{ FID: 7 }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(K3CloudCallLimitError);
    expect((error as K3CloudCallLimitError).disposition).toBe('rate-limited');
  });

  it('throws AmbiguousWriteError when the connection drops after the save, and the save IS applied', async () => {
    const client = h.client();
    await client.executeBillQuery({ formId: 'SAL_SaleOrder', fieldKeys: 'FID', limit: 1 });
    h.sim.faults.ambiguousRate = 1;
    const before = h.sim.stats.calls.BatchSave ?? 0;
    const error = await client
      .batchSave('SAL_SaleOrder', [{ FID: 8, F_PBLH_Entity: [receiptRow('HK-8-ambiguous')] }], { isDeleteEntry: false })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AmbiguousWriteError);
    expect(h.sim.stats.calls.BatchSave).toBe(before + 1); // never retried inside the client
    expect(rowsOf(h.sim, 8).map((r) => r.F_PBLH_CashCollectionNo)).toContain('HK-8-ambiguous');
    expect(h.audit.entries.at(-1)).toMatchObject({
      operation: 'BatchSave',
      outcome: 'ambiguous',
      errorCode: 'k3cloud.ambiguous-write',
    });
  });

  it('HTTP 500/HTML: a write is ambiguous (not retried), a read retries then throws HttpStatusError', async () => {
    const client = h.client();
    await client.executeBillQuery({ formId: 'SAL_SaleOrder', fieldKeys: 'FID', limit: 1 });
    h.sim.faults.errorRate = 1;
    const saves = h.sim.stats.calls.BatchSave ?? 0;
    await expect(client.batchSave('SAL_SaleOrder', [{ FID: 7 }])).rejects.toBeInstanceOf(AmbiguousWriteError);
    expect(h.sim.stats.calls.BatchSave).toBe(saves + 1);
    const queries = h.sim.stats.calls.ExecuteBillQuery ?? 0;
    const error = await client.executeBillQuery({ formId: 'SAL_SaleOrder', fieldKeys: 'FID' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpStatusError);
    expect((error as HttpStatusError).status).toBe(500);
    expect(h.sim.stats.calls.ExecuteBillQuery).toBe(queries + 3);
    expect(h.audit.entries.slice(-3).map((e) => [e.attempt, e.outcome, e.status])).toEqual([
      [1, 'http-error', 500],
      [2, 'http-error', 500],
      [3, 'http-error', 500],
    ]);
  });

  it('HTML with HTTP 200: a read throws MalformedResponseError, a write AmbiguousWriteError', async () => {
    const client = h.client({ readAttempts: 1 });
    await client.executeBillQuery({ formId: 'SAL_SaleOrder', fieldKeys: 'FID', limit: 1 });
    h.sim.faults.malformedRate = 1;
    await expect(client.executeBillQuery({ formId: 'SAL_SaleOrder', fieldKeys: 'FID' })).rejects.toBeInstanceOf(
      MalformedResponseError,
    );
    const error = await client.batchSave('SAL_SaleOrder', [{ FID: 7 }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AmbiguousWriteError);
    expect((error as Error).cause).toBeInstanceOf(MalformedResponseError);
  });

  it('recovers a read from transient faults on a later attempt', async () => {
    const client = h.client();
    await client.executeBillQuery({ formId: 'SAL_SaleOrder', fieldKeys: 'FID', limit: 1 });
    h.sim.failNext('error');
    h.sim.failNext('malformed');
    expect(
      await client.executeBillQuery({ formId: 'SAL_SaleOrder', fieldKeys: 'FID', filterString: 'FID = 1' }),
    ).toEqual([[1]]);
    expect(h.audit.entries.slice(-3).map((e) => [e.operation, e.attempt, e.outcome])).toEqual([
      ['ExecuteBillQuery', 1, 'http-error'],
      ['ExecuteBillQuery', 2, 'malformed'],
      ['ExecuteBillQuery', 3, 'ok'],
    ]);
  });

  it('retries a write lost to MsgCode 1 once after re-login (nothing was applied)', async () => {
    const client = h.client();
    await client.executeBillQuery({ formId: 'SAL_SaleOrder', fieldKeys: 'FID', limit: 1 });
    h.sim.failNext('sessionExpiry');
    const outcome = await client.batchSave('SAL_SaleOrder', [{ FID: 7, F_PBLH_Entity: [receiptRow('HK-7-relogin')] }], {
      isDeleteEntry: false,
    });
    expect(outcome.results[0]?.ok).toBe(true);
    expect(rowsOf(h.sim, 7).filter((r) => r.F_PBLH_CashCollectionNo === 'HK-7-relogin')).toHaveLength(1);
    expect(h.audit.entries.slice(-3).map((e) => [e.operation, e.outcome])).toEqual([
      ['BatchSave', 'session-lost'],
      ['ValidateUser', 'ok'],
      ['BatchSave', 'ok'],
    ]);
  });

  it('rejects a Save for an unknown form with K3CloudRejectedError', async () => {
    const client = h.client();
    await expect(client.save('NO_SuchForm', { FID: 0 })).rejects.toBeInstanceOf(K3CloudRejectedError);
  });
});

describe('connection refused before sending', () => {
  it('is a NetworkError for a write, not an ambiguous one', async () => {
    const sim = await startK3CloudSimulator();
    const { baseUrl, credentials } = sim;
    await sim.close();
    const client = new K3CloudClient({
      baseUrl,
      acctId: credentials.acctId,
      username: credentials.username,
      password: credentials.password,
      timeoutMs: 2_000,
      maxConcurrency: 1,
      readAttempts: 1,
    });
    try {
      const error = await client.batchSave('SAL_SaleOrder', [{ FID: 1 }]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NetworkError);
      expect(error).not.toBeInstanceOf(AmbiguousWriteError);
    } finally {
      await client.close();
    }
  });
});
