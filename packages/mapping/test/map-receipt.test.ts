import path from 'node:path';
import {
  DEFAULT_MAPPING,
  buildSaveOptions,
  contentHashOf,
  loadMapping,
  mapReceipt,
  needsEnrichment,
  previewReceipt,
  type MapResult,
  type MappedRow,
} from '../src';
import { SAMPLE_ORDER_ID, sampleInfo, sampleReceipt } from './fixtures/sample-receipt';

function rowOf(result: MapResult): MappedRow {
  if (!result.ok) throw new Error(`expected a row, got problems: ${JSON.stringify(result.problems)}`);
  return result.row;
}

describe('mapReceipt with the default mapping (docs/operations.md#default-mapping)', () => {
  it('maps the docs/apis/okki.md §10 sample to exactly the contract row', () => {
    const result = mapReceipt({ receipt: sampleReceipt(), removed: false }, DEFAULT_MAPPING);
    expect(result).toEqual({
      ok: true,
      row: {
        formId: 'SAL_SaleOrder',
        entity: 'F_PBLH_Entity',
        orderKeyField: 'F_Cash_Collection_Id',
        orderKey: String(SAMPLE_ORDER_ID),
        rowKeyField: 'F_PBLH_CashCollectionNo',
        rowKey: 'HK202504150112',
        fields: {
          F_PBLH_CashCollectionNo: 'HK202504150112',
          F_PBLH_Date: '2025-04-16 00:00:00',
          F_PBLH_Decimal: '200.00',
          F_PBLH_Amount: '201.00',
          F_PBLH_BankCharge: '1.00',
          F_PBLH_Currency: 'CNY',
          F_PBLH_PayType: 'T/T',
          F_PBLH_TradeNo: null,
          F_PBLH_Remark: '1',
          F_PBLH_Freight: '444',
          F_PBLH_InspectionFee: '3.5',
          F_PBLH_Removed: false,
        },
        // sha256 of {"entity":…,"fields":{…sorted},"formId":…,"orderKey":…}, computed outside this code.
        // Pinned: a change here means every receipt is rewritten once after deploying it.
        contentHash: '6eff715f3f60043f898cefdb2c5dc950bf18d0482c44ec7e346d6f55f0e4e561',
      },
    });
  });

  it('fills the bank fields from the info record when it was fetched', () => {
    const row = rowOf(mapReceipt({ receipt: sampleReceipt(), info: sampleInfo(), removed: false }, DEFAULT_MAPPING));
    expect(row.fields.F_PBLH_Bank).toBe('中国银行杭州分行');
    expect(row.fields.F_PBLH_BankAccount).toBe('6217 0000 1234 5678');
  });

  it('leaves the bank fields out (not null) when no info was fetched, so a known bank is never wiped', () => {
    const row = rowOf(mapReceipt({ receipt: sampleReceipt(), removed: false }, DEFAULT_MAPPING));
    expect(Object.keys(row.fields)).not.toContain('F_PBLH_Bank');
    expect(Object.keys(row.fields)).not.toContain('F_PBLH_BankAccount');
  });

  it('writes null bank fields when info was fetched and has no capital account ([] per docs/apis/okki.md §3)', () => {
    const info = sampleInfo({ capital_account_info: [] });
    const row = rowOf(mapReceipt({ receipt: sampleReceipt(), info, removed: false }, DEFAULT_MAPPING));
    expect(row.fields.F_PBLH_Bank).toBeNull();
    expect(row.fields.F_PBLH_BankAccount).toBeNull();
  });

  it('maps a [] custom field to null and an absent custom-field object to nulls', () => {
    const receipt = sampleReceipt({ external_field_data_info: { '3564970299': [], '3564970303': '' } });
    const row = rowOf(mapReceipt({ receipt, removed: false }, DEFAULT_MAPPING));
    expect(row.fields.F_PBLH_Freight).toBeNull();
    expect(row.fields.F_PBLH_InspectionFee).toBeNull();
    const bare = rowOf(
      mapReceipt({ receipt: sampleReceipt({ external_field_data_info: [] }), removed: false }, DEFAULT_MAPPING),
    );
    expect([bare.fields.F_PBLH_Freight, bare.fields.F_PBLH_InspectionFee]).toEqual([null, null]);
  });

  it('marks a receipt listed as removed with F_PBLH_Removed true', () => {
    const row = rowOf(mapReceipt({ receipt: sampleReceipt(), removed: true }, DEFAULT_MAPPING));
    expect(row.fields.F_PBLH_Removed).toBe(true);
  });

  it('keeps a collection_date given with a time as the day at 00:00:00', () => {
    const row = rowOf(
      mapReceipt(
        { receipt: sampleReceipt({ collection_date: '2025-04-16 13:45:00' }), removed: false },
        DEFAULT_MAPPING,
      ),
    );
    expect(row.fields.F_PBLH_Date).toBe('2025-04-16 00:00:00');
  });

  it('cleans odd unicode in free text and truncates an over-long remark instead of rejecting it', () => {
    const comment = `  a\u0000b\uD800c\nd e\u0301 ${'x'.repeat(400)}`;
    const row = rowOf(mapReceipt({ receipt: sampleReceipt({ comment }), removed: false }, DEFAULT_MAPPING));
    const remark = row.fields.F_PBLH_Remark as string;
    expect(remark.startsWith('ab\uFFFDc d \u00e9 xxx')).toBe(true);
    expect(remark).toHaveLength(255);
  });
});

describe('contentHash', () => {
  const hashOf = (receipt: Record<string, unknown>, mapping = DEFAULT_MAPPING) =>
    rowOf(mapReceipt({ receipt, removed: false }, mapping)).contentHash;

  it('does not depend on the key order of the receipt or of the mapping fields', () => {
    const receipt = sampleReceipt();
    const reversed = Object.fromEntries(Object.entries(receipt).reverse());
    const reorderedMapping = { ...DEFAULT_MAPPING, fields: [...DEFAULT_MAPPING.fields].reverse() };
    expect(hashOf(reversed)).toBe(hashOf(receipt));
    expect(hashOf(receipt, reorderedMapping)).toBe(hashOf(receipt));
    const row = rowOf(mapReceipt({ receipt, removed: false }, DEFAULT_MAPPING));
    const shuffled = Object.fromEntries(Object.entries(row.fields).reverse());
    expect(contentHashOf({ ...row, fields: shuffled })).toBe(row.contentHash);
  });

  it('changes when a mapped value, the order or the removed flag changes, not when an unmapped one does', () => {
    const base = hashOf(sampleReceipt());
    expect(hashOf(sampleReceipt({ comment: '2' }))).not.toBe(base);
    expect(hashOf(sampleReceipt({ order_id: SAMPLE_ORDER_ID + 1 }))).not.toBe(base);
    expect(rowOf(mapReceipt({ receipt: sampleReceipt(), removed: true }, DEFAULT_MAPPING)).contentHash).not.toBe(base);
    expect(hashOf(sampleReceipt({ payee: '阿明', update_time: '2025-04-16 09:00:00' }))).toBe(base);
  });
});

describe('another tenant mapping file (F_ABCD_ prefix)', () => {
  const mapping = loadMapping(path.join(__dirname, 'fixtures', 'abcd-mapping.json'));

  it('maps with no code change, using lookup, bool, constant, datetime and customField text', () => {
    const row = rowOf(mapReceipt({ receipt: sampleReceipt(), removed: true }, mapping));
    expect(row).toMatchObject({
      formId: 'SAL_SaleOrder',
      entity: 'F_ABCD_Entity',
      orderKeyField: 'F_ABCD_OrderRef',
      rowKeyField: 'F_ABCD_ReceiptNo',
      rowKey: 'HK202504150112',
    });
    expect(row.fields).toEqual({
      F_ABCD_ReceiptNo: 'HK202504150112',
      F_ABCD_Date: '2025-04-16 00:00:00',
      F_ABCD_Updated: '2025-04-15 17:47:13',
      F_ABCD_Received: '200.00',
      F_ABCD_RateUsd: '13.72480',
      F_ABCD_Method: 'TT',
      F_ABCD_Effective: false,
      F_ABCD_Payee: '阿红',
      F_ABCD_Note: '文本框',
      F_ABCD_Source: 'OKKI',
      F_ABCD_Deleted: true,
    });
    expect(buildSaveOptions(mapping)).toEqual({
      IsDeleteEntry: false,
      IsAutoSubmitAndAudit: true,
      IsVerifyBaseDataField: true,
    });
    expect(needsEnrichment(mapping)).toBe(false);
  });

  it('uses the lookup default for an unknown payment type and honours its own row-key length', () => {
    const other = rowOf(mapReceipt({ receipt: sampleReceipt({ type: 'PayPal' }), removed: false }, mapping));
    expect(other.fields.F_ABCD_Method).toBe('OTHER');
    const long = mapReceipt(
      { receipt: sampleReceipt({ cash_collection_no: 'HK'.padEnd(31, '9') }), removed: false },
      mapping,
    );
    expect(long.ok ? [] : long.problems.map((p) => [p.field, p.rule])).toEqual([['cash_collection_no', 'too-long']]);
  });
});

describe('previewReceipt and save options', () => {
  it('shows the BatchSave Model the writer would send for one receipt', () => {
    const preview = previewReceipt({ receipt: sampleReceipt(), info: sampleInfo(), removed: false }, DEFAULT_MAPPING);
    expect(preview.problems).toEqual([]);
    expect(preview.payload).toEqual({ FID: 0, F_PBLH_Entity: [{ FEntryID: 0, ...preview.row?.fields }] });
    expect(preview.row?.fields.F_PBLH_Bank).toBe('中国银行杭州分行');
  });

  it('shows problems and no payload for a receipt that cannot be written', () => {
    const preview = previewReceipt({ receipt: sampleReceipt({ order_id: 0 }), removed: false }, DEFAULT_MAPPING);
    expect(preview).toEqual({
      problems: [
        { field: 'order_id', rule: 'no-order', message: 'receipt has no sales order', why: expect.anything() },
      ],
    });
  });

  it('builds the contract write options and knows the default mapping needs /receipt/info', () => {
    expect(buildSaveOptions(DEFAULT_MAPPING)).toEqual({
      IsDeleteEntry: false,
      IsAutoSubmitAndAudit: false,
      IsVerifyBaseDataField: false,
    });
    expect(needsEnrichment(DEFAULT_MAPPING)).toBe(true);
  });
});
