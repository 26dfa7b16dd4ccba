import { tryParseMoney } from '@receipt-sync/core';
import { isAbsent } from './source-path';
import { showValue } from './text';
import type { KeyProblem } from './receipt-keys';

/**
 * docs/apis/okki.md §5 [INTEG]: real_amount == amount − bank_charge (201.00 − 1.00 = 200.00). Compared as
 * exact decimals; skipped when any of the three is absent, since OKKI leaves bank_charge out at times.
 */
export function checkRealAmount(receipt: Record<string, unknown>): KeyProblem[] {
  const names = ['amount', 'bank_charge', 'real_amount'] as const;
  if (names.some((name) => isAbsent(receipt[name]))) return [];
  const problems: KeyProblem[] = [];
  const parsed = names.map((name) => {
    const raw = receipt[name];
    const value = typeof raw === 'string' || typeof raw === 'number' ? tryParseMoney(raw) : undefined;
    if (value === undefined)
      problems.push({
        field: name,
        rule: 'not-a-number',
        detail: `not a decimal: ${showValue(raw)}`,
        why: { key: 'notDecimal', params: { value: showValue(raw) } },
      });
    return value;
  });
  const [amount, bankCharge, realAmount] = parsed;
  if (amount === undefined || bankCharge === undefined || realAmount === undefined) return problems;
  if (!amount.minus(bankCharge).eq(realAmount)) {
    problems.push({
      field: 'real_amount',
      rule: 'real-amount-mismatch',
      detail: `${realAmount.toFixed()} ≠ amount ${amount.toFixed()} − bank_charge ${bankCharge.toFixed()}`,
      why: {
        key: 'realAmountMismatch',
        params: { real: realAmount.toFixed(), amount: amount.toFixed(), charge: bankCharge.toFixed() },
      },
    });
  }
  return problems;
}
