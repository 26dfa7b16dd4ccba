import { parseChinaTime } from '@receipt-sync/core';
import { toText } from './converters';
import type { Mapping } from './schema';
import { isAbsent, isRecord, readSource } from './source-path';
import { normalizeText, showValue, truncateText } from './text';
import type { ProblemWhy, QualityRule } from './types';

/**
 * The identity of a receipt and of its K3Cloud row: rules every mapping shares because the pipeline
 * itself depends on them (dedupe on cash_collection_id, checkpoints on update_time, docs/apis/okki.md §11.5).
 */
export interface KeyProblem {
  field: string;
  rule: QualityRule;
  /** English, for the message; `why` says the same under `quality.details`. */
  detail: string;
  why: ProblemWhy;
}

const MISSING = { detail: 'is missing', why: { key: 'missing', params: {} } };

/** The exact text the pipeline quarantines with (docs/operations.md#outcomes). */
export const NO_ORDER_MESSAGE = 'receipt has no sales order';

/** OKKI ids are integers (docs/apis/okki.md §5); some integrations send them as digit strings. */
function idText(raw: unknown): string | undefined {
  if (typeof raw === 'number') return Number.isSafeInteger(raw) && raw > 0 ? String(raw) : undefined;
  if (typeof raw === 'string' && /^\d{1,20}$/.test(raw.trim())) {
    const digits = raw.trim().replace(/^0+/, '');
    return digits === '' ? undefined : digits;
  }
  return undefined;
}

/** A receipt's number and id as far as they are readable ('' when not); names it in any language. */
export function receiptIdentity(receipt: unknown): { no: string; id: string } {
  if (!isRecord(receipt)) return { no: '', id: '' };
  const rawNo = receipt.cash_collection_no;
  const no = typeof rawNo === 'string' ? truncateText(normalizeText(rawNo), 40) : '';
  return { no, id: idText(receipt.cash_collection_id) ?? '' };
}

/** "receipt HK202504150112 (id 5221565013)", for messages. Never throws on junk. */
export function describeReceipt(receipt: unknown): string {
  if (!isRecord(receipt)) return 'receipt (not an object)';
  const { no, id } = receiptIdentity(receipt);
  if (no && id) return `receipt ${no} (id ${id})`;
  if (no) return `receipt ${no}`;
  return id ? `receipt id ${id}` : 'receipt (no number, no id)';
}

export function checkReceiptId(receipt: Record<string, unknown>): KeyProblem | undefined {
  const raw = receipt.cash_collection_id;
  if (isAbsent(raw)) return { field: 'cash_collection_id', rule: 'missing', ...MISSING };
  if (idText(raw) === undefined) {
    return {
      field: 'cash_collection_id',
      rule: 'invalid-id',
      detail: `is not a positive integer id: ${showValue(raw)}`,
      why: { key: 'notId', params: { value: showValue(raw) } },
    };
  }
  return undefined;
}

export function checkUpdateTime(receipt: Record<string, unknown>): KeyProblem | undefined {
  const raw = receipt.update_time;
  if (isAbsent(raw)) return { field: 'update_time', rule: 'missing', ...MISSING };
  if (typeof raw !== 'string' || parseChinaTime(raw) === undefined) {
    return {
      field: 'update_time',
      rule: 'invalid-date',
      detail: `is not a 'YYYY-MM-DD HH:mm:ss' time: ${showValue(raw)}`,
      why: { key: 'notTime', params: { value: showValue(raw) } },
    };
  }
  return undefined;
}

export type KeyResult = { ok: true; key: string } | { ok: false; problem: KeyProblem };

/** The row key is never truncated: two receipts sharing a cut-off number would overwrite each other's row. */
export function readRowKey(receipt: Record<string, unknown>, mapping: Mapping): KeyResult {
  const field = mapping.rowKey.source;
  const read = readSource(receipt, undefined, field);
  if (read.kind !== 'value') return { ok: false, problem: { field, rule: 'missing', ...MISSING } };
  const converted = toText(read.value, { maxLength: mapping.rowKey.maxLength, onOverflow: 'reject' });
  if (converted.kind === 'value' && typeof converted.value === 'string') return { ok: true, key: converted.value };
  if (converted.kind === 'problem')
    return { ok: false, problem: { field, rule: converted.rule, detail: converted.detail, why: converted.why } };
  const detail = 'is empty after removing control characters';
  return { ok: false, problem: { field, rule: 'missing', detail, why: { key: 'emptyAfterCleaning', params: {} } } };
}

/** Order ids beyond this many digits are not OKKI ids (and would not fit the K3Cloud header field). */
const MAX_ORDER_DIGITS = 20;

/** order_id 0 or missing → `no-order` (docs/apis/okki.md §5: "int, 0 if none"). */
export function readOrderKey(receipt: Record<string, unknown>, mapping: Mapping): KeyResult {
  const field = mapping.order.source;
  const read = readSource(receipt, undefined, field);
  const raw = read.kind === 'value' ? read.value : undefined;
  if (raw === undefined || raw === 0 || (typeof raw === 'string' && /^\s*0+\s*$/.test(raw))) {
    return {
      ok: false,
      problem: { field, rule: 'no-order', detail: NO_ORDER_MESSAGE, why: { key: 'noOrder', params: {} } },
    };
  }
  if (typeof raw === 'string' && /^\s*\d+\s*$/.test(raw) && raw.trim().replace(/^0+/, '').length > MAX_ORDER_DIGITS) {
    const why = { key: 'orderTooLong', params: { max: MAX_ORDER_DIGITS } };
    return {
      ok: false,
      problem: { field, rule: 'too-long', detail: `is longer than ${MAX_ORDER_DIGITS} digits`, why },
    };
  }
  const key = idText(raw);
  if (key === undefined) {
    return {
      ok: false,
      problem: {
        field,
        rule: 'invalid-id',
        detail: `is not a positive integer order id: ${showValue(raw)}`,
        why: { key: 'notOrderId', params: { value: showValue(raw) } },
      },
    };
  }
  return { ok: true, key };
}
