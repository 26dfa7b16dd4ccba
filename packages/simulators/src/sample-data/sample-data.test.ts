import { parseChinaTime } from '@receipt-sync/core';
import { parseMoney } from '@receipt-sync/core';
import {
  createRng,
  DEFAULT_CUSTOM_FIELD_IDS,
  generateDataset,
  mutateReceipt,
  RECEIPT_TYPES,
  type OkkiReceiptRecord,
} from '.';

const MONEY = /^\d+\.\d{2}$/;
const RATE = /^\d+\.\d{5}$/;
const STAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

function moneyInvariantHolds(r: OkkiReceiptRecord): boolean {
  return parseMoney(r.amount).minus(parseMoney(r.bank_charge)).eq(parseMoney(r.real_amount));
}

describe('generateDataset', () => {
  const data = generateDataset({ seed: 42, receipts: 400, orders: 60 });

  it('gives identical data for the same seed and different data for another seed', () => {
    expect(generateDataset({ seed: 42, receipts: 400, orders: 60 })).toEqual(data);
    const other = generateDataset({ seed: 43, receipts: 400, orders: 60 });
    expect(other.receipts.map((r) => r.amount)).not.toEqual(data.receipts.map((r) => r.amount));
  });

  it('keeps real_amount = amount − bank_charge exactly and money as 2-dp strings', () => {
    for (const r of data.receipts) {
      expect(moneyInvariantHolds(r)).toBe(true);
      for (const f of [
        'amount',
        'amount_rmb',
        'amount_usd',
        'real_amount',
        'real_amount_rmb',
        'real_amount_usd',
        'bank_charge',
        'bank_charge_rmb',
        'bank_charge_usd',
      ] as const) {
        expect(r[f]).toMatch(MONEY);
      }
      expect(r.exchange_rate).toMatch(RATE);
      expect(r.exchange_rate_usd).toMatch(RATE);
    }
  });

  it('converts with OKKI per-100 rates: CNY at 100, USD around 700 CNY per 100', () => {
    for (const r of data.receipts) {
      if (r.currency === 'CNY') {
        expect(r.exchange_rate).toBe('100.00000');
        expect(r.amount_rmb).toBe(r.amount);
        expect(Number(r.exchange_rate_usd)).toBeGreaterThan(13);
        expect(Number(r.exchange_rate_usd)).toBeLessThan(15);
      } else {
        expect(r.currency).toBe('USD');
        expect(r.exchange_rate_usd).toBe('100.00000');
        expect(Number(r.exchange_rate)).toBeGreaterThan(680);
        const expected = parseMoney(r.amount).times(r.exchange_rate).div(100).round(2, 1).toFixed(2);
        expect(r.amount_rmb).toBe(expected);
      }
    }
    expect(new Set(data.receipts.map((r) => r.currency))).toEqual(new Set(['CNY', 'USD']));
  });

  it('gives every receipt a unique integer id and a unique HK number', () => {
    const ids = data.receipts.map((r) => r.cash_collection_id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(Number.isSafeInteger(id) && id > 5_000_000_000).toBe(true);
    const nos = data.receipts.map((r) => r.cash_collection_no);
    expect(new Set(nos).size).toBe(nos.length);
    for (const no of nos) expect(no).toMatch(/^HK2025\d{8,}$/);
  });

  it('spreads China-time stamps over the span with create_time <= update_time', () => {
    const start = parseChinaTime('2025-04-15 00:00:00')!.getTime();
    for (const r of data.receipts) {
      expect(r.create_time).toMatch(STAMP);
      expect(r.update_time).toMatch(STAMP);
      expect(r.collection_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      const created = parseChinaTime(r.create_time)!.getTime();
      const updated = parseChinaTime(r.update_time)!.getTime();
      expect(created).toBeGreaterThanOrEqual(start);
      expect(updated).toBeGreaterThanOrEqual(created);
      expect(updated).toBeLessThanOrEqual(start + 86_400_000);
      expect(RECEIPT_TYPES).toContain(r.type);
      expect(r.removed).toBe(false);
    }
    expect(new Set(data.receipts.map((r) => r.update_time)).size).toBeGreaterThan(300);
  });

  it('uses PHP [] for empty related objects and carries the freight and inspection-fee custom fields', () => {
    const kinds = new Set<string>();
    for (const r of data.receipts) {
      expect(r.order_id === 0).toBe(Array.isArray(r.order_info));
      if (r.company_id === 0) expect(r.company_info).toEqual([]);
      const ext = r.external_field_data_info;
      expect(Object.keys(ext)).toEqual(
        expect.arrayContaining([DEFAULT_CUSTOM_FIELD_IDS.freight, DEFAULT_CUSTOM_FIELD_IDS.inspectionFee]),
      );
      for (const v of Object.values(ext)) kinds.add(Array.isArray(v) ? 'array' : typeof v);
      if (r.capital_account_id === 0) expect(r.capital_account_info).toEqual([]);
      else
        expect(r.capital_account_info).toMatchObject({
          capital_account_id: r.capital_account_id,
          capital_bank: expect.any(String),
        });
    }
    expect(kinds).toEqual(new Set(['string', 'number', 'array']));
  });

  it('honours custom field ids', () => {
    const custom = generateDataset({
      seed: 1,
      receipts: 5,
      orders: 2,
      customFieldIds: { freight: '11', inspectionFee: '22' },
    });
    for (const r of custom.receipts)
      expect(Object.keys(r.external_field_data_info)).toEqual(expect.arrayContaining(['11', '22']));
  });

  it('links receipts to K3Cloud orders, to missing orders and to no order at the requested rates', () => {
    const mixed = generateDataset({ seed: 7, receipts: 2000, orders: 50, noOrderRate: 0.1, missingOrderRate: 0.2 });
    const known = new Set(mixed.orders.map((o) => o.F_Cash_Collection_Id));
    let none = 0;
    let missing = 0;
    for (const r of mixed.receipts) {
      if (r.order_id === 0) none += 1;
      else if (!known.has(String(r.order_id))) missing += 1;
      else expect(r.order_info).toMatchObject({ order_id: r.order_id });
    }
    expect(none / 2000).toBeGreaterThan(0.07);
    expect(none / 2000).toBeLessThan(0.13);
    expect(missing / 2000).toBeGreaterThan(0.16);
    expect(missing / 2000).toBeLessThan(0.24);
  });

  it('puts older, unrelated receipt rows on some orders, never numbers from the dataset', () => {
    const nos = new Set(data.receipts.map((r) => r.cash_collection_no));
    const withRows = data.orders.filter((o) => o.F_PBLH_Entity.length > 0);
    expect(withRows.length).toBeGreaterThan(5);
    expect(withRows.length).toBeLessThan(35);
    const entryIds = new Set<number>();
    for (const o of data.orders) {
      expect(o.FSaleOrderEntry.length).toBeGreaterThan(0);
      for (const row of o.F_PBLH_Entity) {
        expect(nos.has(row.F_PBLH_CashCollectionNo)).toBe(false);
        expect(row.F_PBLH_Decimal).toMatch(MONEY);
        expect(entryIds.has(row.FEntryID)).toBe(false);
        entryIds.add(row.FEntryID);
      }
    }
    expect(new Set(data.orders.map((o) => o.FBillNo)).size).toBe(data.orders.length);
  });
});

describe('mutateReceipt', () => {
  it('changes the amount and remark but keeps identity, currency and the money invariant', () => {
    const { receipts } = generateDataset({ seed: 9, receipts: 200, orders: 10 });
    const rng = createRng(99);
    for (const r of receipts) {
      const m = mutateReceipt(r, rng);
      expect(m).not.toBe(r);
      expect(m.cash_collection_id).toBe(r.cash_collection_id);
      expect(m.cash_collection_no).toBe(r.cash_collection_no);
      expect(m.currency).toBe(r.currency);
      expect(m.update_time).toBe(r.update_time);
      expect(m.amount).not.toBe(r.amount);
      expect(m.comment).not.toBe(r.comment);
      expect(moneyInvariantHolds(m)).toBe(true);
      expect(m.amount).toMatch(MONEY);
    }
  });

  it('does not modify the original record', () => {
    const [r] = generateDataset({ seed: 3, receipts: 1, orders: 1 }).receipts;
    const before = JSON.stringify(r);
    mutateReceipt(r!, createRng(1));
    expect(JSON.stringify(r)).toBe(before);
  });
});
