import fc from 'fast-check';
import { InvalidInputError, qualityProblemText, translator } from '@receipt-sync/core';
import { parseChinaTime } from '@receipt-sync/core';
import defaultMappingJson from '../src/default-mapping.json';
import { DEFAULT_MAPPING, QUALITY_RULES, mapReceipt, parseMapping, type MappingInput } from '../src';
import { sampleInfo, sampleReceipt } from './fixtures/sample-receipt';

const RUNS = { seed: 20250415, numRuns: 300 };
const EN = translator('en');

const oddUnicode = fc.constantFrom(
  '\u0000',
  '\u0007',
  '\uD800',
  '\uDC00x',
  'e\u0301',
  '\u202E',
  '\uFEFF',
  '\r\n\t',
  '😀',
  '\u0085',
);
const hugeString = fc.integer({ min: 256, max: 5000 }).map((n) => 'Ж'.repeat(n));
const junkText = fc
  .array(fc.oneof(fc.string({ unit: 'binary' }), oddUnicode), { maxLength: 8 })
  .map((parts) => parts.join(''));
const junk = fc.oneof(
  fc.anything({
    withBigInt: true,
    withNullPrototype: true,
    withBoxedValues: true,
    withSparseArray: true,
    withDate: true,
  }),
  junkText,
  hugeString,
  fc.constant([]),
  fc.constant({}),
  fc.constantFrom(
    -1,
    -0.01,
    1e13,
    -1e300,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    0,
    '0',
    '-5.00',
    '1e3',
    '1,000.00',
    ' 12.5 ',
  ),
  fc.constantFrom(
    '2025-02-30',
    '2025-13-01',
    '2025-04-16T10:00:00',
    '0001-01-01',
    '9999-12-31 23:59:59',
    '16/04/2025',
    '',
  ),
  fc.dictionary(fc.string(), fc.anything(), { maxKeys: 3 }),
);

const cents = fc.integer({ min: 0, max: 10_000_000 });
const validAmounts = fc.tuple(cents, fc.integer({ min: 0, max: 5000 })).map(([amount, fee]) => ({
  amount: (amount / 100).toFixed(2),
  bank_charge: (Math.min(fee, amount) / 100).toFixed(2),
  real_amount: ((amount - Math.min(fee, amount)) / 100).toFixed(2),
}));
const validDate = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

const KEYS = [
  'cash_collection_id',
  'cash_collection_no',
  'order_id',
  'collection_date',
  'update_time',
  'amount',
  'bank_charge',
  'real_amount',
  'currency',
  'type',
  'trade_no',
  'comment',
  'external_field_data_info',
  'company_info',
  'order_info',
];

/** A plausible receipt, then 0–4 of its keys replaced by junk or deleted. */
const receiptArb = fc
  .record({
    amounts: validAmounts,
    date: validDate,
    mutations: fc.array(fc.tuple(fc.constantFrom(...KEYS), fc.option(junk, { nil: undefined })), { maxLength: 4 }),
    custom: fc.dictionary(fc.constantFrom('3564970299', '3564970303', '1'), junk, { maxKeys: 2 }),
  })
  .map(({ amounts, date, mutations, custom }) => {
    const receipt = sampleReceipt({ ...amounts, collection_date: date });
    if (Object.keys(custom).length > 0) receipt.external_field_data_info = custom;
    for (const [key, value] of mutations) {
      if (value === undefined) delete receipt[key];
      else receipt[key] = value;
    }
    return receipt;
  });

const inputArb: fc.Arbitrary<MappingInput> = fc.record({
  receipt: fc.oneof(
    { weight: 9, arbitrary: receiptArb },
    { weight: 1, arbitrary: junk as fc.Arbitrary<Record<string, unknown>> },
  ),
  info: fc.oneof(fc.constant(undefined), fc.constant(sampleInfo()), junk as fc.Arbitrary<Record<string, unknown>>),
  removed: fc.boolean(),
});

const WELL_FORMED = /^(?:[^\uD800-\uDFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF])*$/;

describe('mapReceipt on arbitrary receipts', () => {
  it('never throws; ok rows carry a 2-dp F_PBLH_Decimal, a day F_PBLH_Date and clean text; problems name a field', () => {
    let okCount = 0;
    let problemCount = 0;
    fc.assert(
      fc.property(inputArb, (input) => {
        const result = mapReceipt(input, DEFAULT_MAPPING);
        if (result.ok) {
          okCount += 1;
          const { fields } = result.row;
          expect(fields.F_PBLH_Decimal).toMatch(/^\d+\.\d{2}$/);
          expect(fields.F_PBLH_Date).toMatch(/^\d{4}-\d{2}-\d{2} 00:00:00$/);
          expect(parseChinaTime(fields.F_PBLH_Date as string)).toBeDefined();
          expect(result.row.orderKey).toMatch(/^[1-9]\d*$/);
          expect(result.row.contentHash).toMatch(/^[0-9a-f]{64}$/);
          for (const value of Object.values(fields)) {
            if (typeof value !== 'string') continue;
            expect(value).toMatch(WELL_FORMED);
            // eslint-disable-next-line no-control-regex -- asserting none survive
            expect(value).not.toMatch(/[\u0000-\u001F\u007F-\u009F]/);
            expect(value.length).toBeLessThanOrEqual(255);
          }
        } else {
          problemCount += 1;
          expect(result.problems.length).toBeGreaterThan(0);
          for (const problem of result.problems) {
            expect(problem.field).toMatch(/\S/);
            expect(QUALITY_RULES).toContain(problem.rule);
            expect(problem.message).toMatch(/\S/);
            if (problem.rule !== 'no-order') expect(problem.message.startsWith(problem.field)).toBe(true);
            // the catalogue says the same as the English message, so the Chinese one says it too
            if (problem.rule !== 'no-order') expect(qualityProblemText(problem, EN)).toBe(problem.message);
          }
        }
      }),
      RUNS,
    );
    // both branches must really have been exercised, or the properties above prove nothing
    expect(okCount).toBeGreaterThan(30);
    expect(problemCount).toBeGreaterThan(30);
  });
});

/** The default mapping JSON with one entry replaced by arbitrary JSON (or removed). */
const mutatedMappingArb = fc
  .tuple(
    fc.constantFrom('version', 'formId', 'entity', 'order', 'rowKey', 'fields', 'saveOptions', 'quality', 'extra'),
    fc.nat({ max: 12 }),
    fc.constantFrom(
      'type',
      'target',
      'source',
      'places',
      'required',
      'default',
      'convert',
      'maxLength',
      'precision',
      'table',
      'value',
    ),
    fc.option(fc.jsonValue(), { nil: undefined }),
    fc.boolean(),
  )
  .map(([top, index, key, value, inField]) => {
    const copy = structuredClone(defaultMappingJson) as unknown as Record<string, unknown> & {
      fields: Array<Record<string, unknown>>;
    };
    const target: Record<string, unknown> = inField && copy.fields[index] ? copy.fields[index] : copy;
    const name = inField ? key : top;
    if (value === undefined) delete target[name];
    else target[name] = value;
    return copy;
  });

describe('parseMapping on arbitrary JSON', () => {
  it('returns a usable mapping or throws InvalidInputError naming the source, never another error', () => {
    let valid = 0;
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), mutatedMappingArb), (json) => {
        let mapping;
        try {
          mapping = parseMapping(json, 'fuzz.json');
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidInputError);
          expect((error as Error).message.startsWith('fuzz.json: ')).toBe(true);
          return;
        }
        valid += 1;
        const result = mapReceipt({ receipt: sampleReceipt(), info: sampleInfo(), removed: false }, mapping);
        expect(typeof result.ok).toBe('boolean');
      }),
      RUNS,
    );
    expect(valid).toBeGreaterThan(10);
  });
});
