import { parseChinaTime, formatChinaDate, formatChinaTime } from '@receipt-sync/core';
import { Big, formatMoney, tryParseMoney, type Money } from '@receipt-sync/core';
import { normalizeText, showValue, truncateText } from './text';
import type { FieldValue, ProblemWhy, QualityRule } from './types';

/**
 * Typed converters: OKKI value in, K3Cloud value out, or a quality problem. They never throw: a
 * receipt that does not fit is a problem for the quarantine, not a crash of the transformer.
 */
export type Converted =
  | { kind: 'value'; value: FieldValue }
  /** Nothing left after cleaning (e.g. only control characters): treated like an absent source. */
  | { kind: 'empty' }
  | { kind: 'problem'; rule: QualityRule; detail: string; why: ProblemWhy };

/** `detail` in English (messages, logs); `key` and `params` name the same text under `quality.details`. */
const problem = (rule: QualityRule, detail: string, key: string, params: ProblemWhy['params'] = {}): Converted => ({
  kind: 'problem',
  rule,
  detail,
  why: { key, params },
});

export interface TextOptions {
  maxLength: number;
  onOverflow: 'truncate' | 'reject';
}

export function toText(raw: unknown, options: TextOptions): Converted {
  let text: string;
  if (typeof raw === 'string') text = normalizeText(raw);
  else if (typeof raw === 'number' && Number.isFinite(raw)) text = String(raw);
  else return problem('wrong-type', `expected text, got ${showValue(raw)}`, 'expectedText', { value: showValue(raw) });
  if (text === '') return { kind: 'empty' };
  if (text.length > options.maxLength) {
    if (options.onOverflow === 'reject') {
      return problem('too-long', `${text.length} characters, at most ${options.maxLength} allowed`, 'tooLong', {
        length: text.length,
        max: options.maxLength,
      });
    }
    text = truncateText(text, options.maxLength);
  }
  return { kind: 'value', value: text };
}

/** Anything larger is a typo or junk, not a payment (and beyond K3Cloud's decimal(23,10) comfort). */
export const ABSURD_AMOUNT = new Big('1e12');
/** K3Cloud decimals keep 10 places; more than that cannot be written exactly. */
const MAX_SCALE = 10;

export interface DecimalOptions {
  places?: number;
  allowNegative: boolean;
}

function receivedScale(raw: unknown): number {
  if (typeof raw !== 'string') return 0;
  const dot = raw.trim().indexOf('.');
  return dot < 0 ? 0 : raw.trim().length - dot - 1;
}

/** Decimal places a value really needs (big.js keeps digits without trailing zeros). */
function neededScale(value: Money): number {
  return Math.max(0, value.c.length - value.e - 1);
}

export function toDecimal(raw: unknown, options: DecimalOptions): Converted {
  if (typeof raw === 'number' && !Number.isFinite(raw))
    return problem('not-a-number', `not a finite number: ${raw}`, 'notFinite', { value: String(raw) });
  if (typeof raw !== 'string' && typeof raw !== 'number')
    return problem('not-a-number', `expected a decimal, got ${showValue(raw)}`, 'expectedDecimal', {
      value: showValue(raw),
    });
  const parsed = tryParseMoney(raw);
  if (parsed === undefined)
    return problem('not-a-number', `not a decimal: ${showValue(raw)}`, 'notDecimal', { value: showValue(raw) });
  const value = parsed.eq(0) ? new Big(0) : parsed; // "-0.00" is zero, written without a sign
  if (value.abs().gt(ABSURD_AMOUNT))
    return problem('absurd-amount', `${showValue(raw)} is beyond ±1e12`, 'absurdAmount', { value: showValue(raw) });
  if (value.lt(0) && !options.allowNegative)
    return problem('negative-amount', `${showValue(raw)} is negative`, 'negative', { value: showValue(raw) });
  if (options.places !== undefined) {
    const text = formatMoney(value, options.places);
    // ledger amounts are never silently rounded: 200.005 into 2 places is a problem, 200.000 is not
    if (!new Big(text).eq(value))
      return problem('precision', `${showValue(raw)} has more than ${options.places} decimal places`, 'precision', {
        value: showValue(raw),
        places: options.places,
      });
    return { kind: 'value', value: text };
  }
  const needed = neededScale(value);
  if (needed > MAX_SCALE)
    return problem('precision', `${showValue(raw)} has more than ${MAX_SCALE} decimal places`, 'precision', {
      value: showValue(raw),
      places: MAX_SCALE,
    });
  // keep the scale it arrived with ("201.00" stays "201.00"), exact either way
  return { kind: 'value', value: value.toFixed(Math.min(MAX_SCALE, Math.max(needed, receivedScale(raw)))) };
}

/** SQL Server datetime starts in 1753; a receipt outside this range is junk, not history. */
const MIN_YEAR = 1900;
const MAX_YEAR = 2100;

export function toDateTime(raw: unknown, precision: 'day' | 'second'): Converted {
  if (typeof raw !== 'string')
    return problem('invalid-date', `expected 'YYYY-MM-DD[ HH:mm:ss]', got ${showValue(raw)}`, 'expectedDate', {
      value: showValue(raw),
    });
  const parsed = parseChinaTime(normalizeText(raw));
  if (parsed === undefined)
    return problem('invalid-date', `not a valid 'YYYY-MM-DD[ HH:mm:ss]' date: ${showValue(raw)}`, 'invalidDate', {
      value: showValue(raw),
    });
  const text = formatChinaTime(parsed);
  const year = Number(text.slice(0, 4));
  if (year < MIN_YEAR || year > MAX_YEAR)
    return problem('invalid-date', `${showValue(raw)} is outside ${MIN_YEAR}–${MAX_YEAR}`, 'yearRange', {
      value: showValue(raw),
      min: MIN_YEAR,
      max: MAX_YEAR,
    });
  return { kind: 'value', value: precision === 'day' ? `${formatChinaDate(parsed)} 00:00:00` : text };
}

const TRUE_TEXT = new Set(['1', 'true', 'yes']);
const FALSE_TEXT = new Set(['0', 'false', 'no']);

export function toBool(raw: unknown): Converted {
  if (typeof raw === 'boolean') return { kind: 'value', value: raw };
  if (raw === 1 || raw === 0) return { kind: 'value', value: raw === 1 };
  if (typeof raw === 'string') {
    const text = raw.trim().toLowerCase();
    if (TRUE_TEXT.has(text)) return { kind: 'value', value: true };
    if (FALSE_TEXT.has(text)) return { kind: 'value', value: false };
  }
  return problem('wrong-type', `expected a boolean, got ${showValue(raw)}`, 'expectedBoolean', {
    value: showValue(raw),
  });
}

/** Static table lookup; `fallback` (the field's default) catches values the table does not know. */
export function toLookup(raw: unknown, table: Record<string, string>, fallback: string | null | undefined): Converted {
  if (typeof raw !== 'string' && !(typeof raw === 'number' && Number.isFinite(raw))) {
    return problem('wrong-type', `expected text, got ${showValue(raw)}`, 'expectedText', { value: showValue(raw) });
  }
  const key = normalizeText(String(raw));
  if (Object.hasOwn(table, key)) return { kind: 'value', value: table[key] ?? null };
  if (fallback !== undefined) return { kind: 'value', value: fallback };
  return problem('unknown-value', `${showValue(raw)} is not in the lookup table`, 'notInLookup', {
    value: showValue(raw),
  });
}
