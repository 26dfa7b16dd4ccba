import { formatChinaTime, parseChinaTime } from '@receipt-sync/core';
import { MalformedResponseError } from '@receipt-sync/core';
import { z } from 'zod';

/**
 * A receipt as OKKI lists it (docs/apis/okki.md §5). Only what the sync cannot work without is
 * validated: a usable id and update_time. Every other field is kept exactly as sent (money stays
 * a string, unknown and custom fields stay), except that PHP's `[]` in an object-typed field
 * becomes null (docs/apis/okki.md §11.4).
 */
export interface ReceiptListItem {
  cash_collection_id: number;
  /** Canonical `YYYY-MM-DD HH:mm:ss`, China time. */
  update_time: string;
  [field: string]: unknown;
}

/** The info record (docs/apis/okki.md §6): list fields plus capital account, enable_flag, flattened custom fields. */
export type ReceiptInfo = ReceiptListItem;

/** A list item that failed even the lenient schema; the caller quarantines it, never drops it. */
export interface InvalidReceipt {
  raw: unknown;
  issues: string[];
}

/** Fields documented as objects that PHP serialises as `[]` when empty (docs/apis/okki.md §3, §5, §6). */
export const OBJECT_FIELDS = [
  'company_info',
  'order_info',
  'create_user_info',
  'op_user_info',
  'capital_account_info',
  'finance_verify',
  'cash_collection_invoice_info',
] as const;

const receiptId = z.union([
  z.number().int().positive().refine(Number.isSafeInteger, 'not a safe integer'),
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'not a digit string')
    .transform(Number)
    .refine((n) => Number.isSafeInteger(n) && n > 0, 'not a usable id'),
]);

const updateTime = z.string().refine((s) => parseChinaTime(s) !== undefined, 'not a YYYY-MM-DD HH:mm:ss time');

const lenientReceipt = z.looseObject({ cash_collection_id: receiptId, update_time: updateTime });

function describeRecord(raw: unknown): string {
  if (raw && typeof raw === 'object') {
    const r = raw as Record<string, unknown>;
    const name = r.cash_collection_no ?? r.cash_collection_id;
    if (typeof name === 'string' || typeof name === 'number') return ` (receipt ${String(name)})`;
  }
  return '';
}

export type ParsedReceipt = { ok: true; receipt: ReceiptListItem } | { ok: false; invalid: InvalidReceipt };

export function parseReceipt(raw: unknown): ParsedReceipt {
  const parsed = lenientReceipt.safeParse(raw);
  if (!parsed.success) {
    const where = describeRecord(raw);
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'record'}: ${i.message}${where}`);
    return { ok: false, invalid: { raw, issues } };
  }
  const receipt: ReceiptListItem = { ...parsed.data };
  receipt.update_time = formatChinaTime(parseChinaTime(receipt.update_time)!);
  for (const field of OBJECT_FIELDS) {
    const value = receipt[field];
    if (Array.isArray(value) && value.length === 0) receipt[field] = null;
  }
  return { ok: true, receipt };
}

const listData = z.looseObject({
  list: z.array(z.unknown()),
  totalItem: z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/).transform(Number)]),
});

export interface ReceiptPage {
  list: ReceiptListItem[];
  invalid: InvalidReceipt[];
  totalItem: number;
  /** Server time of the answer (docs/apis/okki.md §3 `now`). */
  now: string;
}

/** `data` of receipt/list: the page shape is strict, each item lenient (one bad receipt never blocks a page). */
export function parseReceiptPage(data: unknown, now: string): ReceiptPage {
  const parsed = listData.safeParse(data);
  if (!parsed.success) throw new MalformedResponseError('okki', 'receipt/list data has no {list[], totalItem}');
  const page: ReceiptPage = { list: [], invalid: [], totalItem: parsed.data.totalItem, now };
  for (const raw of parsed.data.list) {
    const item = parseReceipt(raw);
    if (item.ok) page.list.push(item.receipt);
    else page.invalid.push(item.invalid);
  }
  return page;
}
