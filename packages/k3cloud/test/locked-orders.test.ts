import {
  K3CloudFieldUnknownError,
  K3CloudOrderLockedError,
  K3CloudRejectedError,
  type K3CloudFieldError,
} from '@receipt-sync/core';
import { findUnknownFieldKeys, k3ErrorFor } from '../src';
import { salesOrder, startHarness, type Harness } from './harness';

const err = (message: string, fieldName: string | null = null): K3CloudFieldError[] => [
  { fieldName, message, dIndex: 0 },
];

describe('K3Cloud error classification (docs/apis/k3cloud.md §5.3, §7)', () => {
  it('classifies unknown field keys as a configuration error naming the key', () => {
    const unknown = k3ErrorFor(9, err('元数据中标识为F_PBLH_Bank的字段不存在'));
    expect(unknown).toBeInstanceOf(K3CloudFieldUnknownError);
    expect(unknown).toMatchObject({ code: 'k3cloud.field-unknown', fieldKeys: ['F_PBLH_Bank'] });
    const level = k3ErrorFor(11, err('实体不存在此属性！[EntityType：BillHead，Property：F_PBLH_Date]'));
    expect(level).toMatchObject({ code: 'k3cloud.field-unknown', fieldKeys: ['F_PBLH_Date'] });
  });

  it('classifies a save refused for the bill status as order-locked, naming bill and status', () => {
    const locked = k3ErrorFor(11, err('单据编号为“XSDD000007”的销售订单，单据状态为“已审核”，不允许修改！'));
    expect(locked).toBeInstanceOf(K3CloudOrderLockedError);
    expect(locked).toMatchObject({ code: 'k3cloud.order-locked', billNo: 'XSDD000007', status: 'C' });
    expect(locked.message).toMatch(/XSDD000007 is locked \(status C audited\)/);
  });
});

describe('K3Cloud status operations and the field-key probe', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({
      lackingFields: { SAL_SaleOrder: ['F_PBLH_Bank', 'F_PBLH_Freight', 'F_PBLH_Remark'] },
      bills: { SAL_SaleOrder: [{ ...salesOrder(1), FDocumentStatus: 'C' }, salesOrder(2)] },
    });
  });
  afterAll(() => h.close());

  it('un-audits, submits and audits an order, each call audited', async () => {
    const client = h.client();
    await client.unAudit('SAL_SaleOrder', ['XSDD1']);
    expect(h.sim.getBill('SAL_SaleOrder', 1)?.FDocumentStatus).toBe('D');
    await client.submit('SAL_SaleOrder', ['XSDD1']);
    await client.audit('SAL_SaleOrder', ['XSDD1']);
    expect(h.sim.getBill('SAL_SaleOrder', 1)?.FDocumentStatus).toBe('C');
    const ops = h.audit.entries.filter((e) => /Audit|Submit/.test(e.operation));
    expect(ops.map((e) => [e.operation, e.outcome])).toEqual([
      ['UnAudit', 'ok'],
      ['Submit', 'ok'],
      ['Audit', 'ok'],
    ]);
  });

  it('throws K3CloudRejectedError with K3Cloud’s words when a step is refused', async () => {
    h.sim.refuse('UnAudit', 1);
    const refused = await h
      .client()
      .unAudit('SAL_SaleOrder', ['XSDD1'])
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(K3CloudRejectedError);
    expect((refused as Error).message).toMatch(/UnAudit refused: .*已有下游单据/);
    expect(h.audit.entries.at(-1)).toMatchObject({ operation: 'UnAudit', outcome: 'business-error' });
    h.sim.allow('UnAudit', 1);
  });

  it('names every unknown key though K3Cloud names one per query', async () => {
    const keys = ['F_Cash_Collection_Id', 'F_PBLH_Bank', 'F_PBLH_Date', 'F_PBLH_Freight', 'F_PBLH_Remark'];
    const before = h.sim.stats.calls.ExecuteBillQuery ?? 0;
    expect(await findUnknownFieldKeys(h.client(), 'SAL_SaleOrder', keys)).toEqual([
      'F_PBLH_Bank',
      'F_PBLH_Freight',
      'F_PBLH_Remark',
    ]);
    expect((h.sim.stats.calls.ExecuteBillQuery ?? 0) - before).toBe(4);
    expect(await findUnknownFieldKeys(h.client(), 'SAL_SaleOrder', ['FID', 'F_PBLH_Entity_FEntryID'])).toEqual([]);
  });
});
