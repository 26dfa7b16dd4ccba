import { startK3CloudSimulator, type K3CloudSimulator } from '../../src/k3cloud';
import { login, query, statusOf } from './raw-k3';

/** Orders as the generator shapes them (header fields, FSaleOrderEntry, F_PBLH_Entity). */
function order(fid: number, orderId: string, receipts: string[]) {
  return {
    FID: fid,
    FBillNo: `XSDD${fid}`,
    F_Cash_Collection_Id: orderId,
    FDate: '2024-03-01 00:00:00',
    FCustId: { FNumber: `CUST${fid}` },
    FSaleOrderEntry: [{ FEntryID: fid * 10, FMaterialId: { FNumber: 'M1' }, FQty: 1 }],
    F_PBLH_Entity: receipts.map((no, i) => ({
      FEntryID: fid * 10 + i + 1,
      F_PBLH_CashCollectionNo: no,
      F_PBLH_Date: '2024-03-05',
      F_PBLH_Decimal: `${100 + i}.50`,
    })),
  };
}

describe('ExecuteBillQuery / BillQuery (docs/apis/k3cloud.md §6)', () => {
  let sim: K3CloudSimulator;
  let cookie: string;

  beforeAll(async () => {
    sim = await startK3CloudSimulator({
      maxQueryRows: 4,
      bills: {
        SAL_SaleOrder: [
          order(1, 'ORD-A', ['HK1', 'HK2']),
          order(2, 'ORD-B', []),
          order(3, 'ORD-C', ['HK3']),
          order(4, 'ORD-D', ['HK4', 'HK5', 'HK6']),
        ],
      },
    });
    cookie = await login(sim);
  });
  afterAll(() => sim.close());

  it('returns header fields one row per bill, columns in FieldKeys order', async () => {
    const answer = await query(sim, cookie, {
      FieldKeys: 'FBillNo,FID,F_Cash_Collection_Id,FCustId.FNumber,FDate',
      FilterString: "F_Cash_Collection_Id IN ('ORD-A','ORD-C')",
    });
    expect(answer.body).toEqual([
      ['XSDD1', 1, 'ORD-A', 'CUST1', '2024-03-01T00:00:00'],
      ['XSDD3', 3, 'ORD-C', 'CUST3', '2024-03-01T00:00:00'],
    ]);
  });

  it('returns one row per entry row with header values repeated; a bill without rows gives one row of nulls', async () => {
    const answer = await query(sim, cookie, {
      FieldKeys: 'FID,F_PBLH_Entity_FEntryID,F_PBLH_CashCollectionNo,F_PBLH_Decimal,F_PBLH_Date,F_PBLH_Entity_FSeq',
      FilterString: "F_Cash_Collection_Id IN ('ORD-A','ORD-B')",
    });
    expect(answer.body).toEqual([
      [1, 11, 'HK1', 100.5, '2024-03-05T00:00:00', 1],
      [1, 12, 'HK2', 101.5, '2024-03-05T00:00:00', 2],
      [2, null, null, null, null, null],
    ]);
  });

  it('filters on entry fields and answers BillQuery rows keyed by FieldKeys', async () => {
    const answer = await query(
      sim,
      cookie,
      { FieldKeys: 'FID,F_PBLH_Entity_FEntryID', FilterString: "F_PBLH_CashCollectionNo = 'HK5'" },
      'BillQuery',
    );
    expect(answer.body).toEqual([{ FID: 4, F_PBLH_Entity_FEntryID: 42 }]);
  });

  it('pages with StartRow/Limit, caps Limit at the server maximum, honours TopRowCount and OrderString', async () => {
    const keys = {
      FieldKeys: 'F_PBLH_CashCollectionNo',
      FilterString: 'F_PBLH_Entity_FEntryID > 0',
      OrderString: 'F_PBLH_CashCollectionNo DESC',
    };
    const page = async (extra: Record<string, unknown>) =>
      ((await query(sim, cookie, { ...keys, ...extra })).body as unknown[][]).map((r) => r[0]);
    expect(await page({ StartRow: 0, Limit: 2 })).toEqual(['HK6', 'HK5']);
    expect(await page({ StartRow: 2, Limit: 2 })).toEqual(['HK4', 'HK3']);
    expect(await page({ StartRow: 0, Limit: 100 })).toEqual(['HK6', 'HK5', 'HK4', 'HK3']); // maxQueryRows 4
    expect(await page({ StartRow: 4, Limit: 4 })).toEqual(['HK2', 'HK1']);
    expect(await page({ TopRowCount: 3, StartRow: 2, Limit: 4 })).toEqual(['HK4']);
  });

  it('accepts the array FilterString form', async () => {
    const answer = await query(sim, cookie, {
      FieldKeys: 'FID',
      FilterString: [
        { Left: '(', FieldName: 'F_Cash_Collection_Id', Compare: '67', Value: 'ORD-B', Right: '', Logic: '1' },
        { Left: '', FieldName: 'FBillNo', Compare: '60', Value: 'XSDD4', Right: ')', Logic: '0' },
      ],
    });
    expect(answer.body).toEqual([[2], [4]]);
  });

  it('answers an unknown field with MsgCode 9, wrapped [[…]] for ExecuteBillQuery and bare for BillQuery', async () => {
    const wrapped = await query(sim, cookie, { FieldKeys: 'FID,FIssueType' });
    const inner = (wrapped.body as unknown[][])[0]?.[0];
    expect(statusOf(inner)).toMatchObject({
      IsSuccess: false,
      MsgCode: 9,
      Errors: [{ FieldName: null, Message: '元数据中标识为FIssueType的字段不存在', DIndex: 0 }],
    });
    const bare = await query(sim, cookie, { FieldKeys: 'FID', FilterString: "FNoSuchField = 'x'" }, 'BillQuery');
    expect(statusOf(bare.body).MsgCode).toBe(9);
  });

  it('answers a filter with statement separators as an error and returns no data', async () => {
    const answer = await query(sim, cookie, {
      FieldKeys: 'FID',
      FilterString: "FBillNo = 'x'; DELETE FROM T_SAL_ORDER",
    });
    expect(statusOf((answer.body as unknown[][])[0]?.[0]).IsSuccess).toBe(false);
    expect(sim.allBills('SAL_SaleOrder')).toHaveLength(4);
  });

  it('treats quote-escaped injection text as a literal that matches nothing', async () => {
    const answer = await query(sim, cookie, {
      FieldKeys: 'FID',
      FilterString: "F_Cash_Collection_Id = 'x'' OR ''1''=''1'",
    });
    expect(answer.body).toEqual([]);
  });
});
