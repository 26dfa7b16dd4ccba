import { Big, formatMoney, parseMoney, type Money } from '@receipt-sync/core';
import type { Rng } from './prng';

/**
 * Money arithmetic for the generator, exact (big.js). OKKI rates are per 100 units of the
 * document currency (docs/apis/okki.md §5), so a converted amount is amount × rate / 100, 2 dp.
 */
export function convert(amount: Money, ratePer100: string): string {
  return formatMoney(amount.times(parseMoney(ratePer100)).div(100));
}

/** A random amount with 2 decimals in [min, max]; about half are whole numbers, as people type them. */
export function randomAmount(rng: Rng, min: number, max: number): Money {
  const cents = rng.int(min * 100, max * 100);
  const value = new Big(cents).div(100);
  return rng.chance(0.5) ? value.round(0, Big.roundDown) : value;
}

export function rate5(value: Money): string {
  return value.round(5, Big.roundHalfUp).toFixed(5);
}

/** USD→CNY per 100 USD, e.g. "712.34000"; the CNY→USD rate is its inverse per 100 ("14.03824"). */
export function randomUsdRate(rng: Rng): { usdToCnyPer100: string; cnyToUsdPer100: string } {
  const per100 = new Big(rng.int(69000, 73500)).div(100);
  return { usdToCnyPer100: rate5(per100), cnyToUsdPer100: rate5(new Big(10000).div(per100)) };
}

export { formatMoney };
