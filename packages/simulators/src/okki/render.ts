import { RECEIPT_INFO_EXTRA_KEYS, type OkkiReceiptRecord } from '../sample-data';

const INFO_ONLY = new Set<string>([...RECEIPT_INFO_EXTRA_KEYS, 'removed']);

/** A list item (docs/apis/okki.md §5): the record without info-only extras or the simulator's `removed` marker. */
export function renderListItem(record: OkkiReceiptRecord, corrupt: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (!INFO_ONLY.has(key)) out[key] = value;
  }
  if (corrupt) out.cash_collection_id = null;
  return out;
}

/**
 * The info record (docs/apis/okki.md §6): list fields plus create_type, capital account, users,
 * departments, enable_flag; order_info reduced to {order_id,name,order_no}; custom fields also
 * flattened at the top level as "<fieldId>": value. A deleted receipt stays readable (enable_flag 0).
 */
export function renderInfo(record: OkkiReceiptRecord): Record<string, unknown> {
  const out = renderListItem(record, false);
  const order = record.order_info;
  out.order_info = Array.isArray(order) ? [] : { order_id: order.order_id, name: order.name, order_no: order.order_no };
  out.create_type = record.create_type ?? 1;
  out.finance_verify_date = record.finance_verify_date ?? null;
  out.cash_collection_invoice_info = record.cash_collection_invoice_info ?? [];
  out.capital_account_id = record.capital_account_id ?? 0;
  out.capital_account_info = record.capital_account_info ?? [];
  out.users = record.users ?? record.user_id.map((id) => ({ user_id: id, nickname: '', rate: 100 }));
  out.departments = record.departments ?? [];
  out.enable_flag = record.removed ? 0 : (record.enable_flag ?? 1);
  for (const [fieldId, value] of Object.entries(record.external_field_data_info)) out[fieldId] = value;
  return out;
}
