import { clearMissingKeys, missingKeys, qualityProblemText, translator } from '@receipt-sync/core';
import { DEFAULT_MAPPING, checkQuality, mapReceipt, type QualityProblem } from '../src';
import { sampleReceipt } from './fixtures/sample-receipt';

const problemsOf = (receipt: Record<string, unknown>, removed = false): QualityProblem[] => {
  const result = mapReceipt({ receipt, removed }, DEFAULT_MAPPING);
  return result.ok ? [] : result.problems;
};
const rulesOf = (receipt: Record<string, unknown>) => problemsOf(receipt).map((p) => `${p.field}:${p.rule}`);

describe('data-quality rules (default mapping)', () => {
  it('finds nothing wrong with the spec sample, and checkQuality agrees with mapReceipt', () => {
    expect(checkQuality({ receipt: sampleReceipt(), removed: false }, DEFAULT_MAPPING)).toEqual([]);
    const bad = sampleReceipt({ order_id: 0, real_amount: '199.00' });
    expect(checkQuality({ receipt: bad, removed: false }, DEFAULT_MAPPING)).toEqual(problemsOf(bad));
  });

  it.each([0, '0', null, [], undefined])(
    'quarantines order_id %p with exactly "receipt has no sales order"',
    (orderId) => {
      expect(problemsOf(sampleReceipt({ order_id: orderId }))).toEqual([
        { field: 'order_id', rule: 'no-order', message: 'receipt has no sales order', why: expect.anything() },
      ]);
    },
  );

  it('rejects an order_id that is not a positive integer, or too long to be one', () => {
    expect(rulesOf(sampleReceipt({ order_id: -5 }))).toEqual(['order_id:invalid-id']);
    expect(rulesOf(sampleReceipt({ order_id: 1.5 }))).toEqual(['order_id:invalid-id']);
    expect(rulesOf(sampleReceipt({ order_id: { id: 1 } }))).toEqual(['order_id:invalid-id']);
    expect(rulesOf(sampleReceipt({ order_id: '9'.repeat(40) }))).toEqual(['order_id:too-long']);
  });

  it('accepts an order_id sent as a digit string, keyed like the number', () => {
    const result = mapReceipt({ receipt: sampleReceipt({ order_id: ' 0042 ' }), removed: false }, DEFAULT_MAPPING);
    expect(result.ok && result.row.orderKey).toBe('42');
  });

  it('reports real_amount ≠ amount − bank_charge, compared exactly, naming the receipt', () => {
    const problems = problemsOf(sampleReceipt({ real_amount: '199.99' }));
    expect(problems).toEqual([
      {
        field: 'real_amount',
        rule: 'real-amount-mismatch',
        message: 'real_amount of receipt HK202504150112 (id 5221565013): 199.99 ≠ amount 201 − bank_charge 1',
        why: {
          key: 'realAmountMismatch',
          params: expect.objectContaining({ real: '199.99', no: 'HK202504150112', id: '5221565013' }),
        },
      },
    ]);
    // 0.3 − 0.1 = 0.2 exactly (in floats it is 0.19999999999999998)
    expect(rulesOf(sampleReceipt({ amount: '0.30', bank_charge: '0.10', real_amount: '0.20' }))).toEqual([]);
    // skipped when bank_charge is absent
    expect(rulesOf(sampleReceipt({ bank_charge: '', real_amount: '150.00' }))).toEqual([]);
  });

  it('reports missing key fields', () => {
    const receipt = sampleReceipt();
    for (const key of ['cash_collection_id', 'cash_collection_no', 'collection_date', 'real_amount', 'update_time'])
      delete receipt[key];
    expect(rulesOf(receipt).sort()).toEqual([
      'cash_collection_id:missing',
      'cash_collection_no:missing',
      'collection_date:missing',
      'real_amount:missing',
      'update_time:missing',
    ]);
    expect(problemsOf(receipt).find((p) => p.field === 'collection_date')?.message).toBe(
      'collection_date (→ F_PBLH_Date) of receipt (no number, no id): is required but missing',
    );
  });

  it.each(['2025-02-30', '16/04/2025', '2025-4-16', '2025-04-16 25:00:00', '1600-01-01', 20250416, ['2025-04-16']])(
    'reports an unparsable collection_date %p',
    (date) => {
      expect(rulesOf(sampleReceipt({ collection_date: date }))).toEqual(['collection_date:invalid-date']);
    },
  );

  it('reports an unparsable update_time and a non-integer cash_collection_id', () => {
    expect(rulesOf(sampleReceipt({ update_time: 'yesterday', cash_collection_id: 'HK1' }))).toEqual([
      'cash_collection_id:invalid-id',
      'update_time:invalid-date',
    ]);
  });

  it.each([
    ['abc', 'not-a-number'],
    ['1e3', 'not-a-number'],
    [Number.NaN, 'not-a-number'],
    [Number.POSITIVE_INFINITY, 'not-a-number'],
    ['2000000000000.00', 'absurd-amount'],
    ['-5.00', 'negative-amount'],
    ['200.005', 'precision'],
  ])('reports real_amount %p as %s', (value, rule) => {
    const problems = problemsOf(sampleReceipt({ real_amount: value, amount: value, bank_charge: '0' }));
    expect(problems.map((p) => p.rule)).toContain(rule);
    const realAmount = problems.find((p) => p.field === 'real_amount');
    expect(realAmount?.message).toMatch(
      /^real_amount \(→ F_PBLH_Decimal\) of receipt HK202504150112 \(id 5221565013\): /,
    );
  });

  it('reports a negative bank_charge and a non-numeric custom field, each once', () => {
    const receipt = sampleReceipt({
      bank_charge: '-1.00',
      real_amount: '202.00',
      external_field_data_info: { '3564970299': 'four', '3564970303': 3.5 },
    });
    expect(rulesOf(receipt)).toEqual([
      'bank_charge:negative-amount',
      'external_field_data_info.3564970299:not-a-number',
    ]);
  });

  it('rejects an over-long row key instead of truncating it (two receipts would share a row)', () => {
    expect(rulesOf(sampleReceipt({ cash_collection_no: `HK${'1'.repeat(300)}` }))).toEqual([
      'cash_collection_no:too-long',
    ]);
  });

  it('treats a row key of only control characters as missing and a non-text one as the wrong type', () => {
    expect(rulesOf(sampleReceipt({ cash_collection_no: '\u0000\u0007 ' }))).toEqual(['cash_collection_no:missing']);
    expect(rulesOf(sampleReceipt({ cash_collection_no: { no: 'HK1' } }))).toEqual(['cash_collection_no:wrong-type']);
  });

  it('reports a receipt that is not an object at all', () => {
    const result = mapReceipt({ receipt: [] as unknown as Record<string, unknown>, removed: false }, DEFAULT_MAPPING);
    expect(result).toEqual({
      ok: false,
      problems: [expect.objectContaining({ field: '(receipt)', rule: 'not-an-object' })],
    });
  });
});

describe('data-quality problems in the reader’s language', () => {
  const junk: Array<Record<string, unknown>> = [
    sampleReceipt({ order_id: 0 }),
    sampleReceipt({ order_id: -5, real_amount: '199.99' }),
    sampleReceipt({ order_id: '9'.repeat(40), cash_collection_id: 'x', update_time: 'soon' }),
    sampleReceipt({ cash_collection_no: undefined, collection_date: '1600-01-01', amount: '1e3' }),
    sampleReceipt({ cash_collection_no: 'H'.repeat(300), bank_charge: '-1.00', real_amount: '200.005' }),
    sampleReceipt({ cash_collection_no: '\u0007', real_amount: Infinity, collection_date: 20250416 }),
    sampleReceipt({ currency: { code: 'CNY' }, real_amount: '2000000000000.00', collection_date: '2025-02-30' }),
    sampleReceipt({ cash_collection_id: undefined, update_time: undefined, amount: [1] }),
    [] as unknown as Record<string, unknown>,
  ];
  const problems = junk.flatMap((receipt) => problemsOf(receipt));

  it('renders each problem in English exactly as its message, from the catalogue', () => {
    clearMissingKeys();
    expect(new Set(problems.map((p) => p.why.key)).size).toBeGreaterThanOrEqual(14);
    const en = translator('en');
    for (const p of problems) {
      const expected = p.rule === 'no-order' ? en('reasons.noOrder') : p.message;
      expect(qualityProblemText(p, en)).toBe(expected);
    }
    expect(missingKeys()).toEqual([]);
  });

  it('says each problem in Chinese, keeping field names and OKKI’s values as sent', () => {
    clearMissingKeys();
    const zh = translator('zh-CN');
    const [bad] = problemsOf(sampleReceipt({ real_amount: 'abc' }));
    expect(qualityProblemText(bad!, zh)).toBe(
      '回款单 HK202504150112（id 5221565013），real_amount（→ F_PBLH_Decimal）：不是小数："abc"',
    );
    for (const p of problems) expect(qualityProblemText(p, zh)).toMatch(/[\u4e00-\u9fff]/);
    expect(missingKeys()).toEqual([]);
  });
});
