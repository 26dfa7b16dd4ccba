import { reconcileReason, translator } from '@receipt-sync/core';
import { DEFAULT_MAPPING } from '@receipt-sync/mapping';
import { compareSnapshot } from '../src/compare';
import type { Finding, ReconcileSnapshot } from '../src/types';
import { FID, ORDER_ID, WINDOW, k3Row, ledgerEntry, ledgerOf, okki, receipt, snapshot } from './fixtures';

/** What a person reads off a finding, without the free-text reason. */
function brief(f: Finding) {
  return {
    category: f.category,
    receiptNo: f.receiptNo,
    fid: f.fid,
    ...(f.entryId !== undefined ? { entryId: f.entryId } : {}),
    ...(f.entryIds ? { entryIds: f.entryIds } : {}),
    ...(f.fields ? { fields: f.fields.map((d) => d.field) } : {}),
  };
}

const A = receipt();
const B = receipt({
  cash_collection_id: 5221565014,
  cash_collection_no: 'HK202504150113',
  update_time: '2025-04-15 18:00:00',
});
const OTHER_FID = 100002;

type Case = [name: string, input: ReconcileSnapshot, expected: Array<ReturnType<typeof brief>>];

const cases: Case[] = [
  [
    'a written receipt whose row matches after normalising decimals and dates is clean',
    snapshot({ receipts: [okki(A)], rows: [k3Row(A, 7)], ledger: ledgerOf(ledgerEntry(A, { k3EntryId: 7 })) }),
    [],
  ],
  [
    'an active receipt whose order has no row is missing',
    snapshot({ receipts: [okki(A)] }),
    [{ category: 'missing', receiptNo: 'HK202504150112', fid: FID }],
  ],
  [
    'a receipt without a sales order is quarantined, not missing',
    snapshot({ receipts: [okki(receipt({ order_id: 0 }))] }),
    [],
  ],
  [
    'a receipt failing a quality rule is quarantined, not missing',
    snapshot({ receipts: [okki(receipt({ real_amount: 'abc' }))] }),
    [],
  ],
  [
    'a receipt whose order is not in K3Cloud yet is waiting, not missing',
    snapshot({ receipts: [okki(A)], orders: new Map() }),
    [],
  ],
  ['a removed receipt without a row is fine', snapshot({ receipts: [okki(A, true)] }), []],
  [
    'a row whose amount and date differ from the mapping is stale, naming both fields',
    snapshot({
      receipts: [okki(A)],
      rows: [k3Row(A, 7, { values: { F_PBLH_Decimal: 199, F_PBLH_Date: '2025-04-17T00:00:00' } })],
    }),
    [
      {
        category: 'stale',
        receiptNo: 'HK202504150112',
        fid: FID,
        entryId: 7,
        fields: ['F_PBLH_Date', 'F_PBLH_Decimal'],
      },
    ],
  ],
  [
    'an empty K3Cloud text equals an OKKI value that maps to null, and 0 equals an empty decimal',
    snapshot({
      receipts: [okki(receipt({ trade_no: '', bank_charge: null }))],
      rows: [
        k3Row(receipt({ trade_no: '', bank_charge: null }), 7, {
          values: { F_PBLH_TradeNo: '', F_PBLH_BankCharge: 0 },
        }),
      ],
    }),
    [],
  ],
  [
    'a row flagged removed while the receipt is active again is stale',
    snapshot({ receipts: [okki(A)], rows: [k3Row(A, 7, { values: { F_PBLH_Removed: true } })] }),
    [{ category: 'stale', receiptNo: 'HK202504150112', fid: FID, entryId: 7, fields: ['F_PBLH_Removed'] }],
  ],
  [
    'two rows with one receipt number on one order are duplicated (the first is compared, once)',
    snapshot({ receipts: [okki(A)], rows: [k3Row(A, 9), k3Row(A, 7)] }),
    [{ category: 'duplicated', receiptNo: 'HK202504150112', fid: FID, entryIds: [7, 9] }],
  ],
  [
    'a removed receipt whose row is not flagged is removed-not-flagged',
    snapshot({ receipts: [okki(A, true)], rows: [k3Row(A, 7)], ledger: ledgerOf(ledgerEntry(A)) }),
    [{ category: 'removed-not-flagged', receiptNo: 'HK202504150112', fid: FID, entryId: 7 }],
  ],
  [
    'a removed receipt whose row carries the flag is clean',
    snapshot({ receipts: [okki(A, true)], rows: [k3Row(A, 7, { removed: true })] }),
    [],
  ],
  [
    'a removed receipt whose order lost its id is checked where the ledger says it was written',
    snapshot({
      receipts: [okki(receipt({ order_id: 0 }), true)],
      rows: [k3Row(A, 7)],
      ledger: ledgerOf(ledgerEntry(A)),
    }),
    [{ category: 'removed-not-flagged', receiptNo: 'HK202504150112', fid: FID, entryId: 7 }],
  ],
  [
    'a row of a receipt we wrote in this window that OKKI no longer lists is extra',
    snapshot({ receipts: [okki(A)], rows: [k3Row(A, 7), k3Row(B, 8)], ledgerOthers: [ledgerEntry(B)] }),
    [{ category: 'extra', receiptNo: 'HK202504150113', fid: FID, entryId: 8 }],
  ],
  [
    'a row of a receipt we wrote outside the window is not judged by this window',
    snapshot({
      receipts: [okki(A)],
      rows: [k3Row(A, 7), k3Row(B, 8)],
      ledgerOthers: [ledgerEntry(B, { sourceVersion: '2025-04-10 08:00:00' })],
    }),
    [],
  ],
  [
    'a row of a receipt never written by us is ignored',
    snapshot({ receipts: [okki(A)], rows: [k3Row(A, 7), k3Row(B, 8), k3Row(B, 9)] }),
    [],
  ],
  [
    "our receipt's row on another order is extra (and missing on its own order)",
    snapshot({
      receipts: [okki(A)],
      rows: [k3Row(A, 12, { fid: OTHER_FID })],
      ledger: ledgerOf(ledgerEntry(A, { k3Fid: OTHER_FID, k3EntryId: 12 })),
    }),
    [
      { category: 'missing', receiptNo: 'HK202504150112', fid: FID },
      { category: 'extra', receiptNo: 'HK202504150112', fid: OTHER_FID, entryId: 12 },
    ],
  ],
  [
    'the ledger says written but the order has no row: ledger-mismatch (and missing)',
    snapshot({ receipts: [okki(A)], ledger: ledgerOf(ledgerEntry(A, { k3EntryId: 7 })) }),
    [
      { category: 'missing', receiptNo: 'HK202504150112', fid: FID },
      { category: 'ledger-mismatch', receiptNo: 'HK202504150112', fid: FID, entryId: 7 },
    ],
  ],
  [
    'the ledger names another FID than the one carrying the row: ledger-mismatch',
    snapshot({ receipts: [okki(A)], rows: [k3Row(A, 7)], ledger: ledgerOf(ledgerEntry(A, { k3Fid: OTHER_FID })) }),
    [{ category: 'ledger-mismatch', receiptNo: 'HK202504150112', fid: OTHER_FID }],
  ],
  [
    'the ledger names another FEntryID than the row has: ledger-mismatch',
    snapshot({ receipts: [okki(A)], rows: [k3Row(A, 7)], ledger: ledgerOf(ledgerEntry(A, { k3EntryId: 70 })) }),
    [{ category: 'ledger-mismatch', receiptNo: 'HK202504150112', fid: FID, entryId: 70 }],
  ],
  [
    'a ledger entry that is not written claims nothing',
    snapshot({
      receipts: [okki(A)],
      rows: [k3Row(A, 7)],
      ledger: ledgerOf(ledgerEntry(A, { status: 'pending', k3Fid: OTHER_FID })),
    }),
    [],
  ],
  [
    'a receipt written in the window and deleted in OKKI whose row is gone too: ledger-mismatch only',
    snapshot({ receipts: [], ledgerOthers: [ledgerEntry(B)] }),
    [{ category: 'ledger-mismatch', receiptNo: 'HK202504150113', fid: FID }],
  ],
];

describe('compareSnapshot', () => {
  it.each(cases)('%s', (_name, input, expected) => {
    expect(compareSnapshot(input, DEFAULT_MAPPING).findings.map(brief)).toEqual(expected);
  });

  it('keeps the OKKI receipt on findings that --fix can re-enqueue, and names the difference', () => {
    const { findings } = compareSnapshot(
      snapshot({ receipts: [okki(A)], rows: [k3Row(A, 7, { values: { F_PBLH_Remark: 'edited by hand' } })] }),
      DEFAULT_MAPPING,
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      category: 'stale',
      receiptId: '5221565013',
      orderId: ORDER_ID,
      source: { receipt: A, removed: false },
      fields: [{ field: 'F_PBLH_Remark', expected: '1', actual: 'edited by hand' }],
    });
  });

  it('counts rows that are not ours as ignored', () => {
    const result = compareSnapshot(
      snapshot({ receipts: [okki(A)], rows: [k3Row(A, 7), k3Row(B, 8)] }),
      DEFAULT_MAPPING,
    );
    expect(result.ignoredRows).toBe(1);
    expect(WINDOW.from < String(B.update_time)).toBe(true); // B is inside the window: ignored for not being ours, not for its time
  });

  it('says each reason in English and carries it for a Chinese reader (same values, one key)', () => {
    const [missing] = compareSnapshot(snapshot({ receipts: [okki(A)] }), DEFAULT_MAPPING).findings;
    expect(missing?.reason).toBe(
      `active in OKKI and passes the quality rules, sales order FID ${FID} exists, but it has no F_PBLH_CashCollectionNo=HK202504150112 row`,
    );
    expect(reconcileReason(missing!, translator('zh-CN'))).toBe(
      `在 OKKI 中有效且符合数据质量规则，销售订单 FID ${FID} 存在，但上面没有 F_PBLH_CashCollectionNo=HK202504150112 的行`,
    );
    // A result stored before reasons carried a key is shown as it was written.
    expect(reconcileReason({ reason: 'an older reason' }, translator('zh-CN'))).toBe('an older reason');
  });
});
