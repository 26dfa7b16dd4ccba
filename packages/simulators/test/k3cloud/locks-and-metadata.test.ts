import { startK3CloudSimulator, type K3CloudSimulator, type StatusOp } from '../../src/k3cloud';
import { batchSave, login, post, query, statusOf } from './raw-k3';

const order = (fid: number, status?: string) => ({
  FID: fid,
  FBillNo: `XSDD${fid}`,
  F_Cash_Collection_Id: String(fid),
  ...(status ? { FDocumentStatus: status } : {}),
  F_PBLH_Entity: [{ FEntryID: fid * 10, F_PBLH_CashCollectionNo: `OLD-${fid}`, F_PBLH_Decimal: '1.00' }],
});

const addRow = (fid: number) => ({
  IsDeleteEntry: false,
  Model: [{ FID: fid, F_PBLH_Entity: [{ F_PBLH_CashCollectionNo: `NEW-${fid}`, F_PBLH_Decimal: '9.00' }] }],
});

describe('K3Cloud simulator: document status, status operations and locked saves (docs/apis/k3cloud.md §7)', () => {
  let sim: K3CloudSimulator;
  let cookie: string;

  beforeAll(async () => {
    sim = await startK3CloudSimulator({
      bills: { SAL_SaleOrder: [order(1, 'C'), order(2, 'B'), order(3), order(4, 'C'), order(5, 'C')] },
    });
    cookie = await login(sim);
  });
  afterAll(() => sim.close());

  const statusOp = (op: StatusOp, numbers: string[]) =>
    post(sim, op, { parameters: ['SAL_SaleOrder', JSON.stringify({ Numbers: numbers })] }, { Cookie: cookie });
  const rows = (fid: number) => sim.getBill('SAL_SaleOrder', fid)?.F_PBLH_Entity as Array<Record<string, unknown>>;

  it('queries FDocumentStatus, A for an order seeded without one', async () => {
    const answer = await query(sim, cookie, { FieldKeys: 'FBillNo,FDocumentStatus', FilterString: 'FID IN (1,2,3)' });
    expect(answer.body).toEqual([
      ['XSDD1', 'C'],
      ['XSDD2', 'B'],
      ['XSDD3', 'A'],
    ]);
  });

  it('reject: refuses a save on C and B orders naming the bill and its status, and changes nothing', async () => {
    sim.tenant.lockedSave = 'reject';
    for (const [fid, label] of [
      [1, '已审核'],
      [2, '审核中'],
    ] as const) {
      const status = statusOf((await batchSave(sim, cookie, addRow(fid))).body);
      expect(status.IsSuccess).toBe(false);
      expect(status.Errors[0]?.Message).toBe(`单据编号为“XSDD${fid}”的销售订单，单据状态为“${label}”，不允许修改！`);
      expect(rows(fid)).toEqual([
        { FEntryID: fid * 10, F_PBLH_CashCollectionNo: `OLD-${fid}`, F_PBLH_Decimal: '1.00' },
      ]);
    }
    expect(statusOf((await batchSave(sim, cookie, addRow(3))).body).IsSuccess).toBe(true);
    expect(rows(3)).toHaveLength(2);
  });

  it('ignore: answers success on a C order yet keeps its rows and values', async () => {
    sim.tenant.lockedSave = 'ignore';
    const update = {
      IsDeleteEntry: false,
      Model: [{ FID: 1, F_PBLH_Entity: [{ FEntryID: 10, F_PBLH_Decimal: '5.00' }, { F_PBLH_CashCollectionNo: 'N' }] }],
    };
    const status = statusOf((await batchSave(sim, cookie, update)).body);
    expect(status).toMatchObject({ IsSuccess: true, SuccessEntitys: [{ Id: 1, Number: 'XSDD1', DIndex: 0 }] });
    expect(rows(1)).toEqual([{ FEntryID: 10, F_PBLH_CashCollectionNo: 'OLD-1', F_PBLH_Decimal: '1.00' }]);
    expect(sim.stats.lockedSavesIgnored).toBe(1);
    sim.tenant.lockedSave = 'reject';
  });

  it('UnAudit → Save → Submit → Audit changes an audited order and leaves it audited', async () => {
    expect(statusOf((await statusOp('UnAudit', ['XSDD4'])).body).SuccessEntitys).toEqual([
      { Id: 4, Number: 'XSDD4', DIndex: 0 },
    ]);
    expect(sim.getBill('SAL_SaleOrder', 4)?.FDocumentStatus).toBe('D');
    expect(statusOf((await batchSave(sim, cookie, addRow(4))).body).IsSuccess).toBe(true);
    expect(statusOf((await statusOp('Audit', ['XSDD4'])).body).Errors[0]?.Message).toBe(
      '单据编号为“XSDD4”的销售订单，单据未提交，不能审核！',
    );
    expect(statusOf((await statusOp('Submit', ['XSDD4'])).body).IsSuccess).toBe(true);
    expect(sim.getBill('SAL_SaleOrder', 4)?.FDocumentStatus).toBe('B');
    expect(statusOf((await statusOp('Audit', ['XSDD4'])).body).IsSuccess).toBe(true);
    expect(sim.getBill('SAL_SaleOrder', 4)?.FDocumentStatus).toBe('C');
    expect(rows(4).map((r) => r.F_PBLH_CashCollectionNo)).toEqual(['OLD-4', 'NEW-4']);
    const again = statusOf((await statusOp('Audit', ['XSDD4'])).body);
    expect(again).toMatchObject({ IsSuccess: false, MsgCode: 11 });
    expect(again.Errors[0]?.Message).toBe('单据编号为“XSDD4”的销售订单，单据已经审核！');
  });

  it('refuses UnAudit of an order with downstream bills, and Audit when the tenant refuses it', async () => {
    sim.refuse('UnAudit', 5);
    const refused = statusOf((await statusOp('UnAudit', ['XSDD5'])).body);
    expect(refused.IsSuccess).toBe(false);
    expect(refused.Errors[0]?.Message).toBe('单据编号为“XSDD5”的销售订单，已有下游单据，不能反审核！');
    expect(sim.getBill('SAL_SaleOrder', 5)?.FDocumentStatus).toBe('C');
    sim.allow('UnAudit', 5);
    sim.refuse('Audit', 5, '信用额度不足');
    await statusOp('UnAudit', ['XSDD5']);
    await statusOp('Submit', ['XSDD5']);
    expect(statusOf((await statusOp('Audit', ['XSDD5'])).body).Errors[0]?.Message).toMatch(/信用额度不足$/);
    expect(sim.getBill('SAL_SaleOrder', 5)?.FDocumentStatus).toBe('B');
    const missing = statusOf((await statusOp('Submit', ['NOPE'])).body);
    expect(missing.Errors[0]?.Message).toMatch(/^未找到对应数据/);
  });
});

describe('K3Cloud simulator: a tenant whose metadata lacks mapped keys', () => {
  let sim: K3CloudSimulator;
  let cookie: string;

  beforeAll(async () => {
    sim = await startK3CloudSimulator({
      lackingFields: { SAL_SaleOrder: ['F_PBLH_Bank', 'F_PBLH_Remark'] },
      bills: {
        SAL_SaleOrder: [
          { FID: 7, FBillNo: 'XSDD7', F_PBLH_Entity: [{ F_PBLH_CashCollectionNo: 'A', F_PBLH_Remark: 'by hand' }] },
        ],
      },
    });
    cookie = await login(sim);
  });
  afterAll(() => sim.close());

  it('names only the first unknown key of a query, even though seeded rows carry it', async () => {
    const answer = await query(sim, cookie, { FieldKeys: 'FID,F_PBLH_Remark,F_PBLH_Bank', TopRowCount: 1 });
    expect(answer.body).toEqual([
      [
        {
          Result: {
            ResponseStatus: expect.objectContaining({
              IsSuccess: false,
              MsgCode: 9,
              Errors: [{ FieldName: null, Message: '元数据中标识为F_PBLH_Remark的字段不存在', DIndex: 0 }],
            }),
          },
        },
      ],
    ]);
  });

  it('names only the first unknown key of a save, and a key at the wrong level as 实体不存在此属性', async () => {
    const model = { FID: 7, F_PBLH_Entity: [{ F_PBLH_Bank: 'x', F_PBLH_Remark: 'y', F_PBLH_Decimal: '1' }] };
    const status = statusOf((await batchSave(sim, cookie, { IsDeleteEntry: false, Model: [model] })).body);
    expect(status.Errors).toEqual([
      { FieldName: 'F_PBLH_Bank', Message: '元数据中标识为F_PBLH_Bank的字段不存在', DIndex: 0 },
    ]);
    const wrong = statusOf((await batchSave(sim, cookie, { Model: [{ FID: 7, F_PBLH_Decimal: '1' }] })).body);
    expect(wrong.Errors[0]?.Message).toMatch(/^实体不存在此属性！\[EntityType：BillHead/);
  });
});
