import { evaluateFilter, FilterSyntaxError, parseFilter, type FieldLookup } from '../../src/k3cloud';

const row: Record<string, { value: unknown; type?: 'text' | 'int' | 'decimal' | 'datetime' | 'bool' }> = {
  FID: { value: 1001, type: 'int' },
  FBillNo: { value: "XSDD'01", type: 'text' },
  F_Cash_Collection_Id: { value: 'ORD-7', type: 'text' },
  F_PBLH_Decimal: { value: '201.50', type: 'decimal' },
  F_PBLH_Date: { value: '2024-03-05T00:00:00', type: 'datetime' },
  F_PBLH_Remark: { value: null, type: 'text' },
};
// Field names are matched case-insensitively, as the simulator's resolver does.
const lookup: FieldLookup = (name) =>
  Object.entries(row).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1] ?? { value: null };
/** A row is returned only when the filter is TRUE (unknown/NULL excludes it, as in SQL). */
const matches = (filter: string) => {
  const expr = parseFilter(filter);
  return expr ? evaluateFilter(expr, lookup) === true : true;
};

describe('FilterString parser and evaluator (docs/apis/k3cloud.md §6)', () => {
  it.each([
    ['FID = 1001', true],
    ['FID <> 1001', false],
    ['FID != 1000', true],
    ['FID >= 1001 AND FID < 1002', true],
    ["F_Cash_Collection_Id = 'ord-7'", true], // default SQL Server collation is case-insensitive
    ["F_Cash_Collection_Id = 'ORD-7   '", true], // trailing spaces ignored in = comparisons
    ["F_Cash_Collection_Id IN ('ORD-1', 'ORD-7')", true],
    ["F_Cash_Collection_Id NOT IN ('ORD-1', 'ORD-7')", false],
    ["F_Cash_Collection_Id LIKE 'ORD-_'", true],
    ["F_Cash_Collection_Id LIKE '%-7%'", true],
    ["F_Cash_Collection_Id NOT LIKE 'ORD%'", false],
    ["F_Cash_Collection_Id LIKE 'ORD-[5-8]'", true],
    ['F_PBLH_Decimal = 201.5', true],
    ["F_PBLH_Decimal > '200'", true],
    ["F_PBLH_Date >= '2024-03-05' AND F_PBLH_Date < '2024-03-06 00:00:00'", true],
    ["F_PBLH_Date BETWEEN '2024-03-01' AND '2024-03-31'", true],
    ["FBillNo = 'XSDD''01'", true], // '' is an escaped quote
    ["NOT (FID = 1 OR FID = 2) AND (FBillNo LIKE 'XSDD%')", true],
    ['FID = 1 OR FID = 1001 AND FID = 2', false], // AND binds tighter than OR
    ['(FID = 1 OR FID = 1001) AND FID = 1001', true],
    ['F_PBLH_Remark IS NULL', true],
    ['F_PBLH_Remark IS NOT NULL', false],
    ["F_PBLH_Remark = 'x'", false], // comparison with NULL is unknown → row excluded
    ["NOT F_PBLH_Remark = 'x'", false], // NOT unknown stays unknown
    ["F_PBLH_Remark = 'x' OR FID = 1001", true],
    ['1=1', true],
    ["fid = 1001 and fbillno like 'xsdd%'", true],
    ["F_Cash_Collection_Id = N'ORD-7'", true],
  ])('%s → %s', (filter, expected) => {
    expect(matches(filter)).toBe(expected);
  });

  it('treats injection-looking text inside a literal as plain text', () => {
    expect(matches("FBillNo = '; DROP TABLE T_SAL_ORDER; --'")).toBe(false);
    expect(matches("FBillNo = 'x'' OR ''1''=''1'")).toBe(false);
    const expr = parseFilter("FBillNo = 'a'' OR 1=1 --'");
    expect(expr).toEqual({
      kind: 'compare',
      op: '=',
      left: { kind: 'field', name: 'FBillNo' },
      right: { kind: 'literal', value: "a' OR 1=1 --" },
    });
  });

  it.each([
    "FBillNo = 'x'; DROP TABLE T_SAL_ORDER",
    "FBillNo = 'x' -- comment",
    "FBillNo = 'x' /* c */",
    'FBillNo = @p',
    "FBillNo = 'unterminated",
    'FID IN ()',
    'FID = ',
    '(FID = 1',
    'FID = 1)',
    'FID 1',
    'FID = 1 AND',
  ])('rejects %s with a syntax error instead of running it', (filter) => {
    expect(() => parseFilter(filter)).toThrow(FilterSyntaxError);
  });

  it('bounds nesting depth so a hostile filter cannot overflow the stack', () => {
    expect(() => parseFilter(`${'('.repeat(5000)}FID = 1${')'.repeat(5000)}`)).toThrow(FilterSyntaxError);
    expect(() => parseFilter(`${'NOT '.repeat(5000)}FID = 1`)).toThrow(FilterSyntaxError);
  });

  it('treats an empty filter as no filter', () => {
    expect(parseFilter('   ')).toBeUndefined();
  });
});
