import { normalizeText, type Mapping } from '@receipt-sync/mapping';

/** Reads a dot path (`cash_collection_no`, `a.b`) from a loosely typed record. */
function readPath(record: Record<string, unknown>, path: string): unknown {
  let value: unknown = record;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** The receipt id as the ledger keys it (`cash_collection_id` as a string). */
export function receiptIdOf(receipt: Record<string, unknown>): string {
  return String(receipt.cash_collection_id);
}

/**
 * The receipt number as the row key carries it, even for a receipt the mapping rejects (the row
 * key is cleaned, never cut: mapping receipt-keys). Undefined when the receipt has none.
 */
export function receiptNoOf(receipt: Record<string, unknown>, mapping: Mapping): string | undefined {
  const raw = readPath(receipt, mapping.rowKey.source);
  if (typeof raw !== 'string' && typeof raw !== 'number') return undefined;
  const text = normalizeText(String(raw));
  return text === '' ? undefined : text;
}

/** The OKKI order id (digits, no leading zeros), or undefined for 0 / missing / junk (docs/apis/okki.md §5). */
export function orderIdOf(receipt: Record<string, unknown>, mapping: Mapping): string | undefined {
  const raw = readPath(receipt, mapping.order.source);
  const text =
    typeof raw === 'number'
      ? Number.isSafeInteger(raw)
        ? String(raw)
        : ''
      : typeof raw === 'string'
        ? raw.trim()
        : '';
  if (!/^\d{1,20}$/.test(text)) return undefined;
  const digits = text.replace(/^0+/, '');
  return digits === '' ? undefined : digits;
}

/** China-time stamps share one format, so string order is time order (store validate.ts). */
export function inWindow(stamp: string, window: { from: string; to: string }): boolean {
  return stamp >= window.from && stamp <= window.to;
}
