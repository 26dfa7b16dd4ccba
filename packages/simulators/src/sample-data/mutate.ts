import { Big, parseMoney } from '@receipt-sync/core';
import { COMMENTS } from './catalog';
import type { Rng } from './prng';
import { amountFields, randomRemittance } from './receipt-money';
import type { OkkiReceiptRecord } from './receipt-types';

/**
 * A realistic edit by a finance user: the amount is corrected (often by a few percent), the bank
 * charge re-entered and the remark changed. Currency, rates and identity stay; every derived money
 * field is recomputed so real_amount = amount − bank_charge still holds. update_time is left as it
 * was: the server (simulator) stamps it when the edit is saved.
 */
export function mutateReceipt(receipt: OkkiReceiptRecord, rng: Rng): OkkiReceiptRecord {
  const next = structuredClone(receipt);
  const fresh = randomRemittance(rng, receipt.currency);
  let amount = rng.chance(0.6)
    ? parseMoney(receipt.amount)
        .times(new Big(rng.int(90, 110)).div(100))
        .round(2, Big.roundHalfUp)
    : fresh.amount;
  if (amount.eq(parseMoney(receipt.amount))) amount = amount.plus('1.00');
  let bankCharge = fresh.bankCharge;
  if (bankCharge.gte(amount)) bankCharge = new Big(0);
  Object.assign(next, amountFields(amount, bankCharge, receipt.exchange_rate, receipt.exchange_rate_usd));
  const comments = COMMENTS.filter((c) => c !== receipt.comment);
  next.comment = rng.chance(0.5) ? `${rng.pick(comments)} (corrected)`.trim() : rng.pick(comments);
  return next;
}
