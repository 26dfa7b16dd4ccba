import { isSyncError, K3CloudFieldUnknownError } from '@receipt-sync/core';
import type { BillQueryRequest } from './bill-query';

/** The one K3Cloud call the probe makes (K3CloudClient fits). */
export interface FieldKeyProbe {
  executeBillQuery(request: BillQueryRequest): Promise<unknown[][]>;
}

const sameKey = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * Every key of `keys` the tenant's metadata lacks, in the order given (docs/apis/k3cloud.md §7 preflight). A query
 * naming unknown keys fails with `元数据中标识为X的字段不存在` for the FIRST one only, so the probe
 * drops each named key and asks again until the query passes (unknown keys + 1 queries, each
 * `TopRowCount 1`). When K3Cloud names a key we did not send, each remaining key is asked alone.
 * Any other failure (login, network) is thrown: the check could not run.
 */
export async function findUnknownFieldKeys(k3: FieldKeyProbe, formId: string, keys: string[]): Promise<string[]> {
  const unknown: string[] = [];
  let remaining = [...new Set(keys)];
  while (remaining.length > 0) {
    const named = await unknownIn(k3, formId, remaining);
    if (named.length === 0) break;
    const matched = remaining.filter((k) => named.some((n) => sameKey(n, k)));
    if (matched.length === 0) {
      for (const key of remaining) if ((await unknownIn(k3, formId, [key])).length > 0) unknown.push(key);
      break;
    }
    unknown.push(...matched);
    remaining = remaining.filter((k) => !matched.includes(k));
  }
  return keys.filter((k, i) => unknown.includes(k) && keys.indexOf(k) === i);
}

async function unknownIn(k3: FieldKeyProbe, formId: string, keys: string[]): Promise<string[]> {
  try {
    await k3.executeBillQuery({ formId, fieldKeys: keys.join(','), topRowCount: 1, limit: 1 });
    return [];
  } catch (error) {
    if (error instanceof K3CloudFieldUnknownError || (isSyncError(error) && error.code === 'k3cloud.field-unknown'))
      return (error as K3CloudFieldUnknownError).fieldKeys;
    throw error;
  }
}
