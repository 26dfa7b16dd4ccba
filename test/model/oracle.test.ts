import { DEFAULT_MAPPING, mapReceipt } from '@receipt-sync/mapping';
import { generateDataset } from '@receipt-sync/simulators';
import { checkFinalState, type K3Bill, type K3Row, type OkkiReceipt, type OracleInput } from './oracle';

/** Two orders and two receipts linked to the first, as OKKI and a correct K3Cloud would hold them. */
function world() {
  const dataset = generateDataset({ seed: 5, receipts: 2, orders: 2, noOrderRate: 0, missingOrderRate: 0 });
  const [o1, o2] = dataset.orders.map((o) => String(o.F_Cash_Collection_Id));
  const receipts = dataset.receipts.map(
    (r) => ({ ...structuredClone(r), order_id: Number(o1), removed: false }) as unknown as OkkiReceipt,
  );
  let entry = 9000;
  const rowOf = (r: OkkiReceipt, extra: Record<string, unknown> = {}): K3Row => {
    const mapped = mapReceipt({ receipt: r, info: r, removed: false }, DEFAULT_MAPPING);
    if (!mapped.ok) throw new Error('fixture receipt must map');
    return { FEntryID: ++entry, ...mapped.row.fields, ...extra };
  };
  const foreign: K3Row = { FEntryID: 1, F_PBLH_CashCollectionNo: 'HKOLD0001', F_PBLH_Decimal: '5.00' };
  const bills: K3Bill[] = [
    { FID: 1, F_Cash_Collection_Id: o1, F_PBLH_Entity: [foreign, ...receipts.map((r) => rowOf(r))] },
    { FID: 2, F_Cash_Collection_Id: o2, F_PBLH_Entity: [] },
  ];
  const foreignBefore = new Map([['HKOLD0001', JSON.stringify([{ fid: 1, orderKey: o1, row: foreign }])]]);
  const input = (): OracleInput => ({
    receipts,
    bills,
    foreignBefore,
    history: new Map(receipts.map((r) => [r.cash_collection_no, [structuredClone(r)]])),
  });
  return { receipts, bills, rowOf, o2: o2!, input };
}

const outcomes = (input: OracleInput) => checkFinalState(input).map((v) => `${v.receiptNo}: ${v.outcome}`);

describe('the model test oracle', () => {
  it('accepts a state where each receipt is active once on its order with its latest content', () => {
    expect(checkFinalState(world().input())).toEqual([]);
  });

  it('names a receipt that never reached its order', () => {
    const w = world();
    w.bills[0]!.F_PBLH_Entity!.pop();
    expect(outcomes(w.input())).toEqual([`${w.receipts[1]!.cash_collection_no}: written on its order`]);
  });

  it('names stale content, field by field', () => {
    const w = world();
    w.receipts[0]!.comment = 'a later remark';
    const [v] = checkFinalState(w.input());
    expect(v).toMatchObject({ outcome: 'latest content written' });
    expect(v!.detail).toContain('F_PBLH_Remark');
  });

  it('accepts K3Cloud’s own shapes of the values (numbers, T-separated datetimes)', () => {
    const w = world();
    const row = w.bills[0]!.F_PBLH_Entity![1]!;
    row.F_PBLH_Decimal = Number(row.F_PBLH_Decimal);
    row.F_PBLH_Date = String(row.F_PBLH_Date).replace(' ', 'T');
    expect(checkFinalState(w.input())).toEqual([]);
  });

  it('a re-linked receipt: active on the new order and flagged removed on the old one, never active on both', () => {
    const w = world();
    const moved = w.receipts[0]!;
    moved.order_id = Number(w.o2);
    w.bills[1]!.F_PBLH_Entity!.push(w.rowOf(moved));
    expect(outcomes(w.input())).toEqual([
      `${moved.cash_collection_no}: active on exactly one order, or on none`,
      `${moved.cash_collection_no}: re-linked → flagged removed on the old order`,
    ]);
    w.bills[0]!.F_PBLH_Entity![1]!.F_PBLH_Removed = true;
    expect(checkFinalState(w.input())).toEqual([]);
  });

  it('a deleted or unlinked receipt may keep a removed-flagged row, never an active one', () => {
    const w = world();
    w.receipts[0]!.removed = true;
    w.receipts[1]!.order_id = 0;
    expect(outcomes(w.input())).toEqual([
      `${w.receipts[0]!.cash_collection_no}: deleted in OKKI → no active row`,
      `${w.receipts[1]!.cash_collection_no}: unlinked in OKKI (order_id 0) → no active row`,
    ]);
    for (const row of w.bills[0]!.F_PBLH_Entity!.slice(1)) row.F_PBLH_Removed = 'true';
    expect(checkFinalState(w.input())).toEqual([]);
  });

  it('names two rows of one receipt on one order, even when one is flagged removed', () => {
    const w = world();
    w.bills[0]!.F_PBLH_Entity!.push(w.rowOf(w.receipts[0]!, { F_PBLH_Removed: true }));
    expect(outcomes(w.input())).toEqual([`${w.receipts[0]!.cash_collection_no}: one row per receipt and order`]);
  });

  it('a receipt held back by the request filter: no row, or its row of an earlier content', () => {
    const w = world();
    const held = w.receipts[0]!;
    const input = w.input();
    held.comment = '<b>加急</b>';
    expect(checkFinalState(input)).toEqual([]);
    w.bills[0]!.F_PBLH_Entity!.splice(1, 1);
    expect(checkFinalState(input)).toEqual([]);
    w.bills[0]!.F_PBLH_Entity!.push(w.rowOf({ ...held, comment: 'never had this remark' }));
    expect(outcomes(input)).toEqual([
      `${held.cash_collection_no}: held back by the request filter → last good row unchanged`,
    ]);
  });

  it('names a changed or removed row the service does not own, and a row of a receipt OKKI never had', () => {
    const w = world();
    const foreign = w.bills[0]!.F_PBLH_Entity![0]!;
    foreign.F_PBLH_Decimal = '6.00';
    w.bills[1]!.F_PBLH_Entity!.push({ FEntryID: 77, F_PBLH_CashCollectionNo: 'HKSTRAY' });
    expect(outcomes(w.input())).toEqual([
      'HKOLD0001: rows the service does not own untouched',
      'HKSTRAY: no row of an unknown receipt',
    ]);
  });

  it('leaves a receipt whose order is not in K3Cloud, or that fails data quality, unconstrained', () => {
    const w = world();
    w.receipts[0]!.order_id = 4_999_999_999;
    w.receipts[1]!.real_amount = 'not money';
    expect(checkFinalState(w.input())).toEqual([]);
  });
});
