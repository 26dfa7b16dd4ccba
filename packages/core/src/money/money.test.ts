import { formatMoney, parseMoney, plainDecimal, tryParseMoney } from '.';

describe('money', () => {
  it('keeps sums exact where floats drift', () => {
    expect(formatMoney(parseMoney('0.1').plus(parseMoney('0.2')))).toBe('0.30');
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(formatMoney(parseMoney('201.00').minus(parseMoney('1.00')))).toBe('200.00');
  });

  it('accepts OKKI strings and numbers alike', () => {
    expect(formatMoney(parseMoney('201.00'))).toBe('201.00');
    expect(formatMoney(parseMoney(3.5))).toBe('3.50');
    expect(formatMoney(parseMoney(' 1,234.5 '))).toBe('1234.50');
    expect(plainDecimal(parseMoney('100.00000'))).toBe('100');
  });

  it('rounds half up to the requested places', () => {
    expect(formatMoney(parseMoney('1.005'))).toBe('1.01');
    expect(formatMoney(parseMoney('-1.005'))).toBe('-1.01');
  });

  it('rejects what is not a decimal', () => {
    for (const bad of ['', 'abc', '1e3', '1.2.3', NaN, Infinity, null, [], {}]) {
      expect(() => parseMoney(bad)).toThrow();
      expect(tryParseMoney(bad)).toBeUndefined();
    }
  });
});
