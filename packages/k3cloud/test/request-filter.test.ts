import { AmbiguousWriteError, K3CloudRequestFilterError } from '@receipt-sync/core';
import { requestFilterRefusal, requestFilterSuspects } from '../src';
import { rowsOf, salesOrder, startHarness, type Harness } from './harness';

/** K3Cloud's words, as the one public capture has them (docs/apis/k3cloud.md §5.3). */
const FILTER_MESSAGE = '请求参数存在可疑数据,当前请求已经被拦截规则[caller_in_less_Point_Bracket]阻止!';
const row = (no: string, remark = 'T/T received') => ({ F_PBLH_CashCollectionNo: no, F_PBLH_Remark: remark });

async function refusal(promise: Promise<unknown>): Promise<K3CloudRequestFilterError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(K3CloudRequestFilterError);
  return error as K3CloudRequestFilterError;
}

describe('the site request filter (拦截规则): typed, permanent, audited', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ bills: { SAL_SaleOrder: [1, 2, 3].map((n) => salesOrder(n, [{ no: `HK-${n}-a` }])) } });
  });
  afterAll(() => h.close());
  afterEach(() => Object.assign(h.sim.tenant.requestFilter, { enabled: true, trigger: 'markup' }));

  it('a Save whose remark carries markup: K3Cloud message kept verbatim, never ambiguous, not retried, nothing saved', async () => {
    const client = h.client();
    const saves = h.sim.stats.calls.Save ?? 0;
    const error = await refusal(
      client.save(
        'SAL_SaleOrder',
        { FID: 1, F_PBLH_Entity: [row('HK-1-x', '<b>urgent</b>')] },
        { isDeleteEntry: false },
      ),
    );
    expect(error).not.toBeInstanceOf(AmbiguousWriteError);
    expect(error).toMatchObject({
      disposition: 'permanent',
      code: 'k3cloud.request-filtered',
      rule: 'caller_in_less_Point_Bracket',
      k3Message: FILTER_MESSAGE,
    });
    expect(error.message).toContain(FILTER_MESSAGE);
    expect(h.sim.stats.calls.Save).toBe(saves + 1);
    expect(rowsOf(h.sim, 1).map((r) => r.F_PBLH_CashCollectionNo)).toEqual(['HK-1-a']);
    expect(h.audit.entries.at(-1)).toMatchObject({
      operation: 'Save',
      status: 200,
      attempt: 1,
      outcome: 'business-error',
      errorCode: 'k3cloud.request-filtered',
      message: expect.stringContaining(FILTER_MESSAGE),
    });
  });

  it('one receipt refuses the whole BatchSave: no model is applied and the call throws (not a per-model result)', async () => {
    const client = h.client();
    const error = await refusal(
      client.batchSave(
        'SAL_SaleOrder',
        [
          { FID: 2, F_PBLH_Entity: [row('HK-2-ok')] },
          { FID: 3, F_PBLH_Entity: [row('HK-3-pi', 'see <PI-001>')] },
        ],
        { isDeleteEntry: false },
      ),
    );
    expect(error.rule).toBe('caller_in_less_Point_Bracket');
    expect(rowsOf(h.sim, 2).map((r) => r.F_PBLH_CashCollectionNo)).toEqual(['HK-2-a']);
    expect(rowsOf(h.sim, 3).map((r) => r.F_PBLH_CashCollectionNo)).toEqual(['HK-3-a']);
    expect(h.audit.entries.at(-1)).toMatchObject({ operation: 'BatchSave', errorCode: 'k3cloud.request-filtered' });
  });

  it('refuses queries too, without the read retries transient failures get', async () => {
    const client = h.client();
    await client.executeBillQuery({ formId: 'SAL_SaleOrder', fieldKeys: 'FID', limit: 1 });
    const before = h.sim.stats.calls.ExecuteBillQuery ?? 0;
    const filter = "F_PBLH_Remark = '<script>'";
    await refusal(client.executeBillQuery({ formId: 'SAL_SaleOrder', fieldKeys: 'FID', filterString: filter }));
    expect(h.sim.stats.calls.ExecuteBillQuery).toBe(before + 1);
    await refusal(client.billQuery({ formId: 'SAL_SaleOrder', fieldKeys: 'FID', filterString: filter }));
    expect(h.audit.entries.slice(-2).map((e) => [e.operation, e.attempt, e.errorCode])).toEqual([
      ['ExecuteBillQuery', 1, 'k3cloud.request-filtered'],
      ['BillQuery', 1, 'k3cloud.request-filtered'],
    ]);
  });

  it('the refusal is the filter’s: the same save goes through when the site has it off; `a < b` passes the markup trigger', async () => {
    const client = h.client();
    await client.save(
      'SAL_SaleOrder',
      { FID: 2, F_PBLH_Entity: [row('HK-2-lt', 'fee < 5 USD')] },
      { isDeleteEntry: false },
    );
    h.sim.tenant.requestFilter.trigger = 'less-than';
    await refusal(
      client.save(
        'SAL_SaleOrder',
        { FID: 2, F_PBLH_Entity: [row('HK-2-lt2', 'fee < 5 USD')] },
        { isDeleteEntry: false },
      ),
    );
    h.sim.tenant.requestFilter.enabled = false;
    await client.save(
      'SAL_SaleOrder',
      { FID: 2, F_PBLH_Entity: [row('HK-2-b', '<b>urgent</b>')] },
      { isDeleteEntry: false },
    );
    expect(rowsOf(h.sim, 2).map((r) => [r.F_PBLH_CashCollectionNo, r.F_PBLH_Remark])).toEqual([
      ['HK-2-a', undefined],
      ['HK-2-lt', 'fee < 5 USD'],
      ['HK-2-b', '<b>urgent</b>'],
    ]);
  });
});

describe('request filter helpers', () => {
  it('recognises the captured answer and names its rule; other bodies are not refusals', () => {
    const captured = [
      { actionname: 'showConfirm', params: [{ title: '', msg: FILTER_MESSAGE, option: 0, msgType: 0 }] },
    ];
    expect(requestFilterRefusal(captured)).toEqual({ rule: 'caller_in_less_Point_Bracket', message: FILTER_MESSAGE });
    expect(requestFilterRefusal([{ actionname: 'showConfirm', params: [{ msg: '保存成功' }] }])).toBeUndefined();
    expect(requestFilterRefusal([[1, 'XSDD1']])).toBeUndefined();
    expect(requestFilterRefusal({ Result: { ResponseStatus: { IsSuccess: true } } })).toBeUndefined();
  });

  it('lists every string carrying `<` with its path, so the receipt that sank a batch can be isolated', () => {
    const model = {
      FID: 7,
      F_PBLH_Entity: [row('HK-1'), row('HK-2', 'see <PI-001>'), { ...row('HK-3'), F_PBLH_TradeNo: 'a<b' }],
    };
    expect(requestFilterSuspects(model)).toEqual([
      { path: 'F_PBLH_Entity[1].F_PBLH_Remark', text: 'see <PI-001>' },
      { path: 'F_PBLH_Entity[2].F_PBLH_TradeNo', text: 'a<b' },
    ]);
    expect(requestFilterSuspects(row('HK-4', 'plain text > 3'))).toEqual([]);
  });
});
