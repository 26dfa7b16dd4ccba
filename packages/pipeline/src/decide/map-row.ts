import { OkkiBusinessError, QuarantineError, type Lane } from '@receipt-sync/core';
import {
  checkQuality,
  mapReceipt,
  NO_ORDER_MESSAGE,
  readRowKey,
  removedFlagField,
  type MappedRow,
  type Mapping,
} from '@receipt-sync/mapping';
import { ANY_ORDER, type RawReceiptJob } from '../queues';
import type { ReceiptInfoSource } from '../transformer/ports';
import { TOMBSTONE, type RowPlan, type SkipVerdict } from './version-rules';

export interface MapRowDeps {
  mapping: Mapping;
  /** Present when bank enrichment is on and the mapping reads `info.` fields. */
  info?: ReceiptInfoSource;
}

/**
 * The K3Cloud row a planned version becomes; throws QuarantineError when it breaks a data-quality
 * rule. A tombstone's removal row is a precaution (undefined when it cannot be mapped): a receipt
 * OKKI deleted is not quarantined for its data.
 */
export async function mapPlannedRow(
  plan: RowPlan,
  skip: SkipVerdict,
  ctx: { receiptNo: string; digest: string; lane?: Lane },
  deps: MapRowDeps,
): Promise<MappedRow | undefined> {
  const mapped = plan.anywhere
    ? removalAnywhere(plan.source.receipt, ctx.digest, deps.mapping)
    : mapOrQuarantine(plan.source, ctx, deps);
  return skip === TOMBSTONE ? await mapped.catch(() => undefined) : await mapped;
}

/**
 * A row that flags the receipt removed on every order K3Cloud holds it on (its order key is
 * ANY_ORDER): only the row key and the removed flag, so nothing of the receipt's text can be refused.
 */
async function removalAnywhere(
  receipt: RawReceiptJob['receipt'],
  digest: string,
  mapping: Mapping,
): Promise<MappedRow> {
  const key = readRowKey(receipt as Record<string, unknown>, mapping);
  const removedField = removedFlagField(mapping);
  if (!key.ok || !removedField) throw new QuarantineError(String(receipt.cash_collection_no ?? ''), [NO_ORDER_MESSAGE]);
  return {
    formId: mapping.formId,
    entity: mapping.entity,
    orderKey: ANY_ORDER,
    rowKey: key.key,
    fields: { [mapping.rowKey.targetField]: key.key, [removedField]: true },
    contentHash: `anywhere-${digest}`,
  } as MappedRow;
}

/** Data-quality rules, bank enrichment and the mapping; a receipt that breaks a rule is quarantined. */
async function mapOrQuarantine(
  { receipt, removed }: Pick<RawReceiptJob, 'receipt' | 'removed'>,
  { receiptNo, lane }: { receiptNo: string; lane?: Lane },
  deps: MapRowDeps,
): Promise<MappedRow> {
  const problems = checkQuality({ receipt, removed }, deps.mapping);
  if (problems.length > 0) {
    throw new QuarantineError(
      receiptNo,
      problems.map((p) => p.message),
      { details: { problems } },
    );
  }
  const info = deps.info ? await fetchInfo(deps.info, receipt.cash_collection_id, removed, lane) : undefined;
  const mapped = mapReceipt({ receipt, info, removed }, deps.mapping);
  if (!mapped.ok) {
    throw new QuarantineError(
      receiptNo,
      mapped.problems.map((p) => p.message),
      { details: { problems: mapped.problems } },
    );
  }
  return mapped.row;
}

/** Bank details; a removed receipt whose detail is gone keeps its last known bank fields. */
async function fetchInfo(
  source: ReceiptInfoSource,
  id: number,
  removed: boolean,
  lane: Lane | undefined,
): Promise<Record<string, unknown> | undefined> {
  try {
    return await source.getReceiptInfo(id, lane ? { lane } : undefined);
  } catch (error) {
    if (removed && error instanceof OkkiBusinessError && error.isNotFound) return undefined;
    throw error;
  }
}
