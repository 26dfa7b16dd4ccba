import { Big, parseMoney, type Money } from '@receipt-sync/core';
import { convert, formatMoney, randomAmount } from './amounts';
import type { Rng } from './prng';
import type { OkkiReceiptRecord } from './receipt-types';

type AmountFields = Pick<
  OkkiReceiptRecord,
  | 'amount'
  | 'amount_rmb'
  | 'amount_usd'
  | 'real_amount'
  | 'real_amount_rmb'
  | 'real_amount_usd'
  | 'bank_charge'
  | 'bank_charge_rmb'
  | 'bank_charge_usd'
>;

/**
 * Every money field of a receipt from its amount and bank charge, keeping the invariant
 * real_amount = amount − bank_charge (docs/apis/okki.md §5 [INTEG]) exact to the cent.
 */
export function amountFields(
  amount: Money,
  bankCharge: Money,
  exchangeRate: string,
  exchangeRateUsd: string,
): AmountFields {
  const real = amount.minus(bankCharge);
  return {
    amount: formatMoney(amount),
    amount_rmb: convert(amount, exchangeRate),
    amount_usd: convert(amount, exchangeRateUsd),
    real_amount: formatMoney(real),
    real_amount_rmb: convert(real, exchangeRate),
    real_amount_usd: convert(real, exchangeRateUsd),
    bank_charge: formatMoney(bankCharge),
    bank_charge_rmb: convert(bankCharge, exchangeRate),
    bank_charge_usd: convert(bankCharge, exchangeRateUsd),
  };
}

/** A plausible remittance in the currency: USD wires are smaller numbers than CNY transfers. */
export function randomRemittance(rng: Rng, currency: string): { amount: Money; bankCharge: Money } {
  const usd = currency === 'USD';
  const amount = usd ? randomAmount(rng, 50, 80_000) : randomAmount(rng, 100, 300_000);
  let bankCharge = new Big(0);
  if (rng.chance(0.6)) {
    bankCharge = usd ? randomAmount(rng, 5, 45) : randomAmount(rng, 1, 200);
  }
  if (bankCharge.gte(amount)) bankCharge = new Big(0);
  return { amount, bankCharge };
}

/** True when the stored strings satisfy real_amount = amount − bank_charge exactly. */
export function realAmountHolds(r: Pick<OkkiReceiptRecord, 'amount' | 'bank_charge' | 'real_amount'>): boolean {
  return parseMoney(r.amount).minus(parseMoney(r.bank_charge)).eq(parseMoney(r.real_amount));
}
