import { z } from 'zod';
import { InvalidInputError } from '@receipt-sync/core';
import { parseChinaTime } from '@receipt-sync/core';

/**
 * China wall-clock stamps (`YYYY-MM-DD HH:mm:ss`, Asia/Shanghai) are compared as strings across the
 * store (checkpoint never backwards, ledger no-regress). That is only sound when every stamp has
 * exactly this shape, so the store refuses anything else instead of comparing garbage.
 */
export const chinaTimeSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/, "must be 'YYYY-MM-DD HH:mm:ss' (Asia/Shanghai)")
  .refine((s) => parseChinaTime(s) !== undefined, 'is not a real date and time');

export const idSchema = z.string().min(1, 'must not be empty').max(256);

/** Parses `value` or throws an InvalidInputError naming `source` and every failing field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, source: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new InvalidInputError(
    source,
    result.error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'value'} ${i.message}`),
  );
}

/** A page size from a caller: whole, at least 1, at most `max`; `fallback` when absent or not a number. */
export function clampLimit(limit: number | undefined, fallback: number, max: number): number {
  if (limit === undefined || !Number.isFinite(limit)) return Math.min(fallback, max);
  return Math.max(1, Math.min(max, Math.floor(limit)));
}

/** Drops keys whose value is undefined, so documents never store `null` for "absent". */
export function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
