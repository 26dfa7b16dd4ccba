import { translator } from '@receipt-sync/core';

/** A reason a person reads: its catalogue key (`reconcileReasons.*`) and values, for their language. */
export interface Why {
  key: string;
  params: Record<string, string | number>;
}

const english = translator('en');

/** `reason` (English, stable in JSON reports and logs) and `why` (the same, for any language) together. */
export function because(key: string, params: Record<string, string | number> = {}): { reason: string; why: Why } {
  return { reason: english(`reconcileReasons.${key}`, params), why: { key, params } };
}
