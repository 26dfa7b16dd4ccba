import Big from 'big.js';

/**
 * Money is carried as exact decimals (big.js), never as JS floats: OKKI sends "201.00" strings
 * (sometimes numbers), K3Cloud receives decimal strings. 0.1 + 0.2 must stay 0.3 on a ledger.
 */
export type Money = Big;

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/** Parses "201.00", " 201 ", 201, "1e3"? no: only plain decimals. Throws on anything else. */
export function parseMoney(value: unknown): Money {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`not a finite amount: ${value}`);
    return new Big(value);
  }
  if (typeof value === 'string') {
    const trimmed = value.trim().replace(/,/g, '');
    if (!DECIMAL.test(trimmed)) throw new TypeError(`not a decimal amount: ${JSON.stringify(value).slice(0, 40)}`);
    return new Big(trimmed);
  }
  throw new TypeError(`not an amount: ${typeof value}`);
}

/** Like parseMoney but returns undefined instead of throwing. */
export function tryParseMoney(value: unknown): Money | undefined {
  try {
    return parseMoney(value);
  } catch {
    return undefined;
  }
}

/** Fixed-point string, half-up rounding: formatMoney(new Big('1.005')) === '1.01'. */
export function formatMoney(value: Money, places = 2): string {
  return value.round(places, Big.roundHalfUp).toFixed(places);
}

/** Shortest exact decimal string ("201", "3.5"). */
export function plainDecimal(value: Money): string {
  return value.toFixed();
}

export function moneyEquals(a: Money, b: Money): boolean {
  return a.eq(b);
}

export { Big };
