import { startK3CloudSimulator, type K3CloudSimulator } from '../../src/k3cloud';
import { batchSave, login, post, query, statusOf } from './raw-k3';

const bill = (fid: number) => ({
  FID: fid,
  FBillNo: `XSDD${fid}`,
  F_Cash_Collection_Id: `ORD-${fid}`,
  F_PBLH_Entity: [],
});
const addRow = (fid: number, remark: string) => ({
  IsDeleteEntry: false,
  Model: [{ FID: fid, F_PBLH_Entity: [{ F_PBLH_CashCollectionNo: `HK-${fid}`, F_PBLH_Remark: remark }] }],
});
const rowsOf = (sim: K3CloudSimulator, fid: number) =>
  (sim.getBill('SAL_SaleOrder', fid)?.F_PBLH_Entity as unknown[]) ?? [];

/** docs/apis/k3cloud.md §5.3: the answer as the public capture shows it, field for field. */
const REFUSAL = [
  {
    actionname: 'showConfirm',
    params: [
      {
        title: '',
        msg: '请求参数存在可疑数据,当前请求已经被拦截规则[caller_in_less_Point_Bracket]阻止!',
        option: 0,
        msgType: 0,
      },
    ],
  },
];

describe('request filter (拦截规则)', () => {
  let sim: K3CloudSimulator;
  let cookie: string;

  beforeAll(async () => {
    sim = await startK3CloudSimulator({ bills: { SAL_SaleOrder: [1, 2, 3].map(bill) } });
    cookie = await login(sim);
  });
  afterAll(() => sim.close());
  afterEach(() => Object.assign(sim.tenant.requestFilter, { enabled: true, trigger: 'markup' }));

  it('is on by default: a save carrying markup gets HTTP 200 and the showConfirm action, and nothing is saved', async () => {
    const filtered = sim.stats.requestsFiltered;
    const answer = await batchSave(sim, cookie, addRow(1, '<b>urgent</b>'));
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(REFUSAL);
    expect(rowsOf(sim, 1)).toEqual([]);
    expect(sim.stats.requestsFiltered).toBe(filtered + 1);
    expect(sim.stats.savesApplied).toBe(0);
  });

  it('looks at every parameter, named or positional, string or object data, queries included', async () => {
    const named = await post(
      sim,
      'Save',
      { formid: 'SAL_SaleOrder', data: addRow(2, 'ref <PI-001>') },
      { Cookie: cookie },
    );
    expect(named.body).toEqual(REFUSAL);
    const queried = await query(sim, cookie, { FieldKeys: 'FID', FilterString: "F_PBLH_Remark = '</x>'" });
    expect(queried.body).toEqual(REFUSAL);
    expect(rowsOf(sim, 2)).toEqual([]);
  });

  it('trigger `markup` lets `<` before a digit, space or `=` through; `less-than` refuses any `<`; off lets all through', async () => {
    expect(statusOf((await batchSave(sim, cookie, addRow(3, 'fee < 5, ratio <=1, <3'))).body).IsSuccess).toBe(true);
    sim.tenant.requestFilter.trigger = 'less-than';
    expect((await batchSave(sim, cookie, addRow(3, 'fee < 5'))).body).toEqual(REFUSAL);
    sim.tenant.requestFilter.enabled = false;
    expect(statusOf((await batchSave(sim, cookie, addRow(3, '<b>ok</b>'))).body).IsSuccess).toBe(true);
    expect(rowsOf(sim, 3)).toHaveLength(2);
  });

  it('can start switched off or with the strict trigger', async () => {
    const off = await startK3CloudSimulator({ bills: { SAL_SaleOrder: [bill(1)] }, requestFilter: { enabled: false } });
    try {
      const c = await login(off);
      expect(statusOf((await batchSave(off, c, addRow(1, '<b>x</b>'))).body).IsSuccess).toBe(true);
      expect(off.tenant.requestFilter).toEqual({ enabled: false, trigger: 'markup' });
    } finally {
      await off.close();
    }
  });
});
