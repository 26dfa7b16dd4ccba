import { startK3CloudSimulator, type K3CloudSimulator } from '../../src/k3cloud';
import { batchSave, login, post, statusOf } from './raw-k3';

/** The example bill of docs/apis/k3cloud.md §4.1 (S7): FID 1001, entity1 rows 10001/10002, entity2 rows 20001/20002. */
const exampleBill = () => ({
  FID: 1001,
  FBillNo: 'XSDD-1001',
  FEntity1: [
    { FEntryID: 10001, FQty: 1 },
    { FEntryID: 10002, FQty: 2 },
  ],
  FEntity2: [
    { FEntryID: 20001, FQty: 3 },
    { FEntryID: 20002, FQty: 4 },
  ],
});

describe('Save/BatchSave entry rules (docs/apis/k3cloud.md §4, §4.1)', () => {
  let sim: K3CloudSimulator;
  let cookie: string;
  let nextFid = 1001;
  let fid: number;

  beforeAll(async () => {
    sim = await startK3CloudSimulator({
      knownFields: { SAL_SaleOrder: { entities: { FEntity1: ['FQty'], FEntity2: ['FQty'] } } },
    });
    cookie = await login(sim);
  });
  afterAll(() => sim.close());

  /** A fresh copy of the example bill under its own FID for each case. */
  beforeEach(() => {
    fid = nextFid++;
    const bill = exampleBill();
    const offset = (fid - 1001) * 100_000;
    sim.seedBills('SAL_SaleOrder', [
      {
        ...bill,
        FID: fid,
        FBillNo: `XSDD-${fid}`,
        FEntity1: bill.FEntity1.map((r) => ({ ...r, FEntryID: r.FEntryID + offset })),
        FEntity2: bill.FEntity2.map((r) => ({ ...r, FEntryID: r.FEntryID + offset })),
      },
    ]);
  });

  const id = (base: number) => base + (fid - 1001) * 100_000;
  const rows = (entity: string) =>
    (sim.getBill('SAL_SaleOrder', fid)?.[entity] ?? []) as Array<{ FEntryID: number; FQty?: number }>;
  const save = async (isDeleteEntry: boolean | string | undefined, model: Record<string, unknown>) => {
    const data: Record<string, unknown> = { Model: [{ FID: fid, ...model }] };
    if (isDeleteEntry !== undefined) data.IsDeleteEntry = isDeleteEntry;
    const answer = await batchSave(sim, cookie, data);
    expect(statusOf(answer.body).IsSuccess).toBe(true);
  };

  it('case 1: IsDeleteEntry false updates the named row and keeps the others; entity2 untouched', async () => {
    await save(false, { FEntity1: [{ FEntryID: id(10001), FQty: 22 }] });
    expect(rows('FEntity1')).toEqual([
      { FEntryID: id(10001), FQty: 22 },
      { FEntryID: id(10002), FQty: 2 },
    ]);
    expect(rows('FEntity2')).toEqual([
      { FEntryID: id(20001), FQty: 3 },
      { FEntryID: id(20002), FQty: 4 },
    ]);
  });

  it('case 2: IsDeleteEntry true (and by default) deletes rows of a processed entity not in the package', async () => {
    await save(undefined, { FEntity1: [{ FEntryID: id(10001), FQty: 22 }] });
    expect(rows('FEntity1')).toEqual([{ FEntryID: id(10001), FQty: 22 }]);
    expect(rows('FEntity2')).toHaveLength(2);
  });

  it('case 3: true with [{}] deletes every row of the entity', async () => {
    await save(true, { FEntity1: [{}] });
    expect(rows('FEntity1')).toEqual([]);
    expect(rows('FEntity2')).toHaveLength(2);
  });

  it('case 4: true with a row without FEntryID adds one row and deletes the old ones', async () => {
    await save('true', { FEntity1: [{ FQty: 22 }] });
    const after = rows('FEntity1');
    expect(after).toHaveLength(1);
    expect(after[0]?.FQty).toBe(22);
    expect([id(10001), id(10002)]).not.toContain(after[0]?.FEntryID);
  });

  it('case 5: true with [{}] in both entities empties both', async () => {
    await save(true, { FEntity1: [{}], FEntity2: [{}] });
    expect(rows('FEntity1')).toEqual([]);
    expect(rows('FEntity2')).toEqual([]);
  });

  it('case 6: entity1 emptied; 20001 updated, 20002 kept unchanged, one row added', async () => {
    await save(true, {
      FEntity1: [{}],
      FEntity2: [{ FEntryID: id(20001), FQty: 22 }, { FEntryID: id(20002) }, { FQty: 22 }],
    });
    expect(rows('FEntity1')).toEqual([]);
    const after = rows('FEntity2');
    expect(after.slice(0, 2)).toEqual([
      { FEntryID: id(20001), FQty: 22 },
      { FEntryID: id(20002), FQty: 4 },
    ]);
    expect(after).toHaveLength(3);
    expect(after[2]?.FQty).toBe(22);
  });

  it('IsDeleteEntry false with rows without FEntryID appends them ("2 行变 4 行")', async () => {
    await save('false', { FEntity1: [{ FQty: 5 }, { FQty: 6 }] });
    expect(rows('FEntity1').map((r) => r.FQty)).toEqual([1, 2, 5, 6]);
  });

  it('NeedUpDateFields limits the update to listed fields and entities', async () => {
    const answer = await batchSave(sim, cookie, {
      NeedUpDateFields: ['FEntity1', 'FQty'],
      IsDeleteEntry: false,
      Model: [
        { FID: fid, FBillNo: 'NOT-APPLIED', FEntity1: [{ FEntryID: id(10002), FQty: 9 }], FEntity2: [{ FQty: 99 }] },
      ],
    });
    expect(statusOf(answer.body).IsSuccess).toBe(true);
    const bill = sim.getBill('SAL_SaleOrder', fid);
    expect(bill?.FBillNo).toBe(`XSDD-${fid}`);
    expect(rows('FEntity1')[1]).toEqual({ FEntryID: id(10002), FQty: 9 });
    expect(rows('FEntity2')).toHaveLength(2);
  });

  it('Save (not batch) with a named body and data as an object answers Id/Number/NeedReturnData', async () => {
    const answer = await post(
      sim,
      'save',
      {
        FormId: 'SAL_SaleOrder',
        DATA: {
          IsDeleteEntry: false,
          NeedReturnFields: ['FBillNo', 'FEntity1.FEntryID'],
          Model: { FID: fid, FEntity1: [{ FQty: 7 }] },
        },
      },
      { Cookie: cookie },
    );
    const result = (
      answer.body as {
        Result: {
          Id: number;
          Number: string;
          NeedReturnData: Array<{ FBillNo: string; FEntity1: Array<{ FEntryID: number }> }>;
        };
      }
    ).Result;
    expect(result.Id).toBe(fid);
    expect(result.Number).toBe(`XSDD-${fid}`);
    expect(result.NeedReturnData[0]?.FBillNo).toBe(`XSDD-${fid}`);
    expect(result.NeedReturnData[0]?.FEntity1.map((r) => r.FEntryID)).toEqual(rows('FEntity1').map((r) => r.FEntryID));
  });
});

describe('BatchSave validation and partial success (docs/apis/k3cloud.md §5.1)', () => {
  let sim: K3CloudSimulator;
  let cookie: string;

  beforeAll(async () => {
    sim = await startK3CloudSimulator({
      bills: { SAL_SaleOrder: [{ FID: 5001, FBillNo: 'XSDD-5001', F_PBLH_Entity: [] }] },
    });
    cookie = await login(sim);
  });
  afterAll(() => sim.close());

  it('applies the valid models and reports the others per DIndex with IsSuccess false', async () => {
    const answer = await batchSave(sim, cookie, {
      IsDeleteEntry: false,
      Model: [
        { FID: 5001, F_PBLH_Entity: [{ F_PBLH_CashCollectionNo: 'HK-1', F_PBLH_Decimal: '10.00' }] },
        { FID: 5001, F_PBLH_Entity: [{ F_PBLH_Typo: 'x' }] },
        { FID: 424242, F_PBLH_Entity: [{ F_PBLH_CashCollectionNo: 'HK-3' }] },
        { FBillNo: 'XSDD-5001' },
      ],
    });
    const status = statusOf(answer.body);
    expect(status.IsSuccess).toBe(false);
    expect(status.MsgCode).toBe(9);
    expect(status.SuccessEntitys).toEqual([{ Id: 5001, Number: 'XSDD-5001', DIndex: 0 }]);
    expect(status.Errors).toEqual([
      { FieldName: 'F_PBLH_Typo', Message: '元数据中标识为F_PBLH_Typo的字段不存在', DIndex: 1 },
      expect.objectContaining({ FieldName: 'FID', DIndex: 2 }),
      { FieldName: 'FBillNo', Message: '违反字段唯一性要求：编码唯一。[XSDD-5001]在当前系统中已经被使用。', DIndex: 3 },
    ]);
    expect(sim.getBill('SAL_SaleOrder', 5001)?.F_PBLH_Entity).toEqual([
      expect.objectContaining({ F_PBLH_CashCollectionNo: 'HK-1' }),
    ]);
    expect(sim.findBills('SAL_SaleOrder', (b) => b.FID === 424242)).toEqual([]);
  });

  it('creates bills with new FIDs and numbers; with BatchCount DIndex restarts in every batch', async () => {
    const models = Array.from({ length: 6 }, (_, i) => ({ F_Cash_Collection_Id: `new-${i}` }));
    const answer = await batchSave(sim, cookie, { BatchCount: 2, Model: models });
    const status = statusOf(answer.body);
    expect(status.IsSuccess).toBe(true);
    expect(status.SuccessEntitys.map((s) => s.DIndex)).toEqual([0, 1, 2, 0, 1, 2]);
    const ids = status.SuccessEntitys.map((s) => s.Id);
    expect(new Set(ids).size).toBe(6);
    expect(sim.getBill('SAL_SaleOrder', ids[4] as number)?.F_Cash_Collection_Id).toBe('new-4');
    expect(status.SuccessEntitys[0]?.Number).toMatch(/^XSDD\d{6}$/);
  });

  it('rejects values that do not fit the field type (MsgCode 11) and bad booleans (MsgCode 8)', async () => {
    const badDecimal = await batchSave(sim, cookie, {
      Model: [{ FID: 5001, F_PBLH_Entity: [{ F_PBLH_Decimal: '12,5' }] }],
    });
    expect(statusOf(badDecimal.body)).toMatchObject({ IsSuccess: false, MsgCode: 11 });
    const badBool = await batchSave(sim, cookie, { IsDeleteEntry: 'nope', Model: [{ FID: 5001 }] });
    expect(statusOf(badBool.body)).toMatchObject({ IsSuccess: false, MsgCode: 8 });
  });

  it('answers an unknown form with 业务对象不存在', async () => {
    const answer = await batchSave(sim, cookie, { Model: [{}] }, 'NO_SuchForm');
    expect(statusOf(answer.body).Errors[0]?.Message).toBe('业务对象不存在');
  });
});
