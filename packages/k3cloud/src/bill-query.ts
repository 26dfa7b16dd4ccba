import { InvalidInputError } from '@receipt-sync/core';
import { z } from 'zod';

/** One item of the array FilterString form (docs/apis/k3cloud.md §6): Compare 67 equals, Logic 0 AND / 1 OR. */
export interface K3CloudFilterItem {
  Left?: string;
  FieldName: string;
  Compare: string;
  Value: string;
  Right?: string;
  Logic?: number | string;
}

/** ExecuteBillQuery / BillQuery `data` (docs/apis/k3cloud.md §6). */
export interface BillQueryRequest {
  formId: string;
  /** Comma string or list, e.g. `['FID', 'F_PBLH_Entity_FEntryID', 'F_PBLH_CashCollectionNo']`. */
  fieldKeys: string | string[];
  /** SQL-like text (build literals with `k3Quote`) or the array form. */
  filterString?: string | K3CloudFilterItem[];
  orderString?: string;
  /** 0 = unlimited. */
  topRowCount?: number;
  /** 0-based. */
  startRow?: number;
  /** Page size; 0 = server default. */
  limit?: number;
  subSystemId?: string;
}

const requestSchema = z.object({
  formId: z.string().min(1),
  fieldKeys: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  filterString: z
    .union([
      z.string(),
      z.array(z.object({ FieldName: z.string().min(1), Compare: z.string(), Value: z.string() }).loose()),
    ])
    .optional(),
  orderString: z.string().optional(),
  topRowCount: z.number().int().min(0).optional(),
  startRow: z.number().int().min(0).optional(),
  limit: z.number().int().min(0).optional(),
  subSystemId: z.string().optional(),
});

export function queryData(request: BillQueryRequest): Record<string, unknown> {
  const parsed = requestSchema.safeParse(request);
  if (!parsed.success)
    throw new InvalidInputError(
      'k3cloud query',
      parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
    );
  const keys = Array.isArray(request.fieldKeys) ? request.fieldKeys.join(',') : request.fieldKeys;
  return {
    FormId: request.formId,
    FieldKeys: keys,
    FilterString: request.filterString ?? '',
    OrderString: request.orderString ?? '',
    TopRowCount: request.topRowCount ?? 0,
    StartRow: request.startRow ?? 0,
    Limit: request.limit ?? 0,
    SubSystemId: request.subSystemId ?? '',
  };
}

/** A T-SQL string literal: single quotes, `'` doubled. Use it for every value put into a FilterString. */
export function k3Quote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** `field IN ('a','b')` with quoted literals; an empty list matches nothing (`1=0`). */
export function k3In(field: string, values: readonly string[]): string {
  if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(field))
    throw new InvalidInputError('k3cloud filter', [`field name ${JSON.stringify(field)} is not a K3 field key`]);
  return values.length === 0 ? '1=0' : `${field} IN (${values.map(k3Quote).join(',')})`;
}

/** Spec §5.4: Limit's default maximum is 2000; larger pages could be cut short silently. */
export const MAX_PAGE_SIZE = 2000;

/**
 * Every row of a query, one page of at most `pageSize` (≤ MAX_PAGE_SIZE) after another with
 * StartRow/Limit until a short page; TopRowCount, when set, caps the total (§5.4). Used by the
 * client's queryAll/billQueryAll and by callers that hold only an executeBillQuery port.
 */
export async function queryPages<R extends BillQueryRequest, T>(
  fetchPage: (request: R) => Promise<T[]>,
  request: R,
  pageSize = MAX_PAGE_SIZE,
): Promise<T[]> {
  const size = Math.max(1, Math.min(pageSize, MAX_PAGE_SIZE));
  const all: T[] = [];
  const top = request.topRowCount ?? 0;
  for (let start = request.startRow ?? 0; ; start += size) {
    const page = await fetchPage({ ...request, startRow: start, limit: size });
    all.push(...page);
    if (page.length < size || (top > 0 && start + size >= top))
      return top > 0 ? all.slice(0, Math.max(0, top - (request.startRow ?? 0))) : all;
  }
}
