import { InvalidInputError, K3CloudFieldUnknownError, K3CloudRejectedError } from '@receipt-sync/core';
import { k3In, k3Quote } from '../src';
import { salesOrder, startHarness, type Harness } from './harness';

describe('queries (docs/apis/k3cloud.md §6)', () => {
  let h: Harness;

  beforeAll(async () => {
    const orders = Array.from({ length: 7 }, (_, i) =>
      salesOrder(100 + i, i % 2 ? [{ no: `HK-${i}-a`, amount: '1.50' }, { no: `HK-${i}-b` }] : []),
    );
    orders.push({ ...salesOrder(200), F_Cash_Collection_Id: "O'Brien; DROP TABLE T_SAL_ORDER--" });
    h = await startHarness({ bills: { SAL_SaleOrder: orders } });
  });
  afterAll(() => h.close());

  it('executeBillQuery answers rows in FieldKeys order, one per entry row', async () => {
    const rows = await h.client().executeBillQuery({
      formId: 'SAL_SaleOrder',
      fieldKeys: ['FID', 'F_Cash_Collection_Id', 'F_PBLH_Entity_FEntryID', 'F_PBLH_CashCollectionNo', 'F_PBLH_Decimal'],
      filterString: k3In('F_Cash_Collection_Id', ['ORD-101', 'ORD-102']),
      orderString: 'FID ASC',
    });
    expect(rows).toEqual([
      [101, 'ORD-101', 10101, 'HK-1-a', 1.5],
      [101, 'ORD-101', 10102, 'HK-1-b', 10],
      [102, 'ORD-102', null, null, null],
    ]);
  });

  it('billQuery answers objects keyed by FieldKeys', async () => {
    const rows = await h.client().billQuery({
      formId: 'SAL_SaleOrder',
      fieldKeys: 'FID,FBillNo',
      filterString: `FBillNo = ${k3Quote('XSDD103')}`,
    });
    expect(rows).toEqual([{ FID: 103, FBillNo: 'XSDD103' }]);
  });

  it('keeps injection-looking values literal through k3Quote', async () => {
    const client = h.client();
    const hostile = "O'Brien; DROP TABLE T_SAL_ORDER--";
    expect(
      await client.executeBillQuery({
        formId: 'SAL_SaleOrder',
        fieldKeys: 'FID',
        filterString: `F_Cash_Collection_Id = ${k3Quote(hostile)}`,
      }),
    ).toEqual([[200]]);
    expect(
      await client.executeBillQuery({
        formId: 'SAL_SaleOrder',
        fieldKeys: 'FID',
        filterString: `FBillNo = ${k3Quote("x' OR '1'='1")}`,
      }),
    ).toEqual([]);
    expect(h.sim.allBills('SAL_SaleOrder')).toHaveLength(8);
  });

  it('queryAll pages with StartRow/Limit until a short page', async () => {
    const client = h.client();
    const before = h.sim.stats.calls.ExecuteBillQuery ?? 0;
    const rows = await client.queryAll({ formId: 'SAL_SaleOrder', fieldKeys: 'FID', orderString: 'FID DESC' }, 3);
    expect(rows.map((r) => r[0])).toEqual([200, 106, 105, 104, 103, 102, 101, 100]);
    expect(h.sim.stats.calls.ExecuteBillQuery).toBe(before + 3);
    const objects = await client.billQueryAll({ formId: 'SAL_SaleOrder', fieldKeys: 'FID', topRowCount: 5 }, 2);
    expect(objects.map((r) => r.FID)).toEqual([100, 101, 102, 103, 104]);
  });

  it('maps an unknown field to K3CloudFieldUnknownError (a configuration error) and a broken filter to K3CloudRejectedError, without retries', async () => {
    const client = h.client();
    const before = h.sim.stats.calls.ExecuteBillQuery ?? 0;
    const unknown = await client
      .executeBillQuery({ formId: 'SAL_SaleOrder', fieldKeys: 'FID,FIssueType' })
      .catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(K3CloudFieldUnknownError);
    expect(unknown).toMatchObject({ fieldKeys: ['FIssueType'], disposition: 'misconfigured' });
    expect((unknown as Error).message).toContain('元数据中标识为FIssueType的字段不存在');
    await expect(
      client.billQuery({ formId: 'SAL_SaleOrder', fieldKeys: 'FID', filterString: 'FID = 1; DROP TABLE X' }),
    ).rejects.toBeInstanceOf(K3CloudRejectedError);
    expect(h.sim.stats.calls.ExecuteBillQuery).toBe(before + 1);
  });

  it('validates the request before sending', async () => {
    const client = h.client();
    await expect(client.executeBillQuery({ formId: '', fieldKeys: 'FID' })).rejects.toBeInstanceOf(InvalidInputError);
    expect(() => k3In('FID) OR (1=1', ['x'])).toThrow(InvalidInputError);
    expect(k3In('FID', [])).toBe('1=0');
  });
});
