import { InvalidInputError } from '@receipt-sync/core';
import { DEFAULT_MAPPING } from '@receipt-sync/mapping';
import { reconcile, rowFieldKeys } from '../src';
import { fakeK3, k3Record, ledger, source } from './fakes';
import { FID, ORDER_ID, WINDOW, ledgerEntry, receipt } from './fixtures';

const A = receipt();
const B = receipt({
  cash_collection_id: 5221565014,
  cash_collection_no: 'HK202504150113',
  update_time: '2025-04-15 18:00:00',
});
const C = receipt({
  cash_collection_id: 5221565015,
  cash_collection_no: 'HK202504150114',
  update_time: '2025-04-15 19:00:00',
});

describe('reconcile', () => {
  it('reads OKKI, the sales orders and the ledger, and reports each difference with its ids', async () => {
    const { k3, queries } = fakeK3([
      { fid: FID, orderId: ORDER_ID, rows: [k3Record(A, 7, { F_PBLH_Decimal: 150 }), k3Record(C, 9)] },
      { fid: FID + 5, orderId: '77', rows: [] },
    ]);
    const removedB = { ...B, update_time: '2025-04-15 20:00:00' };
    const report = await reconcile(
      {
        source: source([A, B], [removedB], 1),
        k3,
        mapping: DEFAULT_MAPPING,
        ledger: ledger([
          ledgerEntry(A, { k3EntryId: 7 }),
          ledgerEntry(B, { k3EntryId: 8 }),
          ledgerEntry(C, { k3EntryId: 9 }),
        ]),
      },
      WINDOW,
    );
    expect(report.findings.map((f) => [f.category, f.receiptNo, f.fid, f.entryId])).toEqual([
      ['extra', 'HK202504150114', FID, 9], // C: written by us in the window, OKKI lists it nowhere
      ['stale', 'HK202504150112', FID, 7],
      ['ledger-mismatch', 'HK202504150113', FID, 8], // B's row is gone although the ledger says written
    ]);
    expect(report.counts).toEqual({
      missing: 0,
      extra: 1,
      stale: 1,
      duplicated: 0,
      'removed-not-flagged': 0,
      'ledger-mismatch': 1,
    });
    expect(report.scanned).toMatchObject({
      okkiActive: 1,
      okkiRemoved: 1,
      okkiInvalid: 1,
      orders: 1,
      ordersFound: 1,
      rows: 2,
    });
    expect(report.clean).toBe(false);

    const lookup = queries.find((q) => q.filterString.startsWith('F_Cash_Collection_Id'));
    expect(lookup?.filterString).toBe(`F_Cash_Collection_Id IN ('${ORDER_ID}')`);
    const rowQuery = queries.find((q) => q.filterString.startsWith('FID IN'));
    expect(rowQuery?.fieldKeys.split(',')).toEqual(rowFieldKeys(DEFAULT_MAPPING));
    expect(rowQuery?.fieldKeys).toContain('F_PBLH_Removed');
    expect(rowQuery?.fieldKeys.startsWith('FID,F_PBLH_Entity_FEntryID,F_PBLH_CashCollectionNo,')).toBe(true);
  });

  it('is clean when K3Cloud holds exactly what the mapping produces', async () => {
    const { k3 } = fakeK3([{ fid: FID, orderId: ORDER_ID, rows: [k3Record(A, 7)] }]);
    const report = await reconcile(
      { source: source([A]), k3, mapping: DEFAULT_MAPPING, ledger: ledger([ledgerEntry(A, { k3EntryId: 7 })]) },
      WINDOW,
    );
    expect(report.findings).toEqual([]);
    expect(report.clean).toBe(true);
  });

  it('reads every page of a large order (2000 rows per ExecuteBillQuery answer)', async () => {
    const many = Array.from({ length: 2100 }, (_, i) => ({
      F_PBLH_Entity_FEntryID: i + 1,
      F_PBLH_CashCollectionNo: `X${i}`,
    }));
    const { k3, queries } = fakeK3([{ fid: FID, orderId: ORDER_ID, rows: [...many, k3Record(A, 9999)] }]);
    const report = await reconcile({ source: source([A]), k3, mapping: DEFAULT_MAPPING, ledger: ledger([]) }, WINDOW);
    expect(report.scanned.rows).toBe(2101);
    expect(report.findings).toEqual([]); // A's row is on the second page; X… rows are not ours
    expect(queries.filter((q) => q.filterString.startsWith('FID IN')).map((q) => q.startRow)).toEqual([0, 2000]);
  });

  it('finds a receipt deleted outright in OKKI that was alone on its order by walking the ledger (unless told not to)', async () => {
    const D = receipt({ cash_collection_id: 5221565016, cash_collection_no: 'HK202504150115', order_id: 88 });
    const { k3 } = fakeK3([
      { fid: FID, orderId: ORDER_ID, rows: [k3Record(A, 7)] },
      { fid: 300, orderId: '88', rows: [k3Record(D, 31)] },
    ]);
    const entries = [ledgerEntry(A, { k3EntryId: 7 }), ledgerEntry(D, { orderId: '88', k3Fid: 300, k3EntryId: 31 })];
    const deps = { source: source([A]), k3, mapping: DEFAULT_MAPPING, ledger: ledger(entries) };
    const found = await reconcile(deps, WINDOW);
    expect(found.findings.map((f) => [f.category, f.receiptNo, f.fid, f.entryId])).toEqual([
      ['extra', 'HK202504150115', 300, 31],
    ]);
    expect((await reconcile({ ...deps, scanLedger: false }, WINDOW)).findings).toEqual([]);
  });

  it('compares bank fields when an info source is given, asking OKKI only for receipts that have a row', async () => {
    const { k3 } = fakeK3([
      { fid: FID, orderId: ORDER_ID, rows: [k3Record(A, 7, { F_PBLH_Bank: '工商银行', F_PBLH_BankAccount: '6222' })] },
    ]);
    const asked: number[] = [];
    const info = {
      async getReceiptInfo(id: number) {
        asked.push(id);
        return { capital_account_info: { capital_bank: '中国银行', bank_account: '6222' } };
      },
    };
    const report = await reconcile(
      { source: source([A, C]), k3, info, mapping: DEFAULT_MAPPING, ledger: ledger([]) },
      WINDOW,
    );
    expect(asked).toEqual([A.cash_collection_id]);
    const stale = report.findings.filter((f) => f.category === 'stale');
    expect(stale.map((f) => f.fields)).toEqual([[{ field: 'F_PBLH_Bank', expected: '中国银行', actual: '工商银行' }]]);
  });

  it.each([
    [{ from: '2025-04-15', to: WINDOW.to }],
    [{ from: WINDOW.to, to: WINDOW.from }],
    [{ from: '2025-02-30 00:00:00', to: WINDOW.to }],
  ])('refuses the window %j before calling anything', async (window) => {
    const { k3, queries } = fakeK3([]);
    await expect(
      reconcile({ source: source([]), k3, mapping: DEFAULT_MAPPING, ledger: ledger([]) }, window),
    ).rejects.toThrow(InvalidInputError);
    expect(queries).toEqual([]);
  });
});
