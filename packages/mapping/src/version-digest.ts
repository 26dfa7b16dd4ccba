import { canonicalJson, sha256Hex } from './canonical-json';

/**
 * Fields that only `receipt/info` returns, or returns in another shape than `receipt/list`
 * (docs/apis/okki.md §5–§6): left out, so a version listed and the same version fetched digest alike.
 */
const INFO_ONLY = new Set([
  'create_type',
  'finance_verify_date',
  'cash_collection_invoice_info',
  'capital_account_id',
  'capital_account_info',
  'users',
  'departments',
  'enable_flag',
  'order_info',
]);

/**
 * A short digest of one receipt version's OKKI content. `update_time` has whole seconds, so two
 * edits within one second share a stamp: the digest tells them apart (a version is the stamp and
 * the content). Info's flattened custom fields (numeric keys) are left out too; the list carries
 * them in `external_field_data_info`.
 */
export function versionDigest(receipt: Record<string, unknown>): string {
  const content: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(receipt)) {
    if (!INFO_ONLY.has(key) && !/^\d+$/.test(key)) content[key] = value;
  }
  return sha256Hex(canonicalJson(content)).slice(0, 16);
}
