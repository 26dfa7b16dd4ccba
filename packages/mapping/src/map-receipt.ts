import { canonicalJson, sha256Hex } from './canonical-json';
import { evaluateReceipt } from './evaluate-receipt';
import type { Mapping } from './schema';
import type { FieldValue, MapResult, MappedRow, MappingInput } from './types';

/**
 * Hash of what would be written: the writer compares it with the hash of the last successful write
 * and skips K3Cloud when equal (docs/operations.md#outcomes: `unchanged`). Key order never matters.
 */
export function contentHashOf(row: Pick<MappedRow, 'formId' | 'entity' | 'orderKey' | 'fields'>): string {
  return sha256Hex(
    canonicalJson({ formId: row.formId, entity: row.entity, orderKey: row.orderKey, fields: row.fields }),
  );
}

/** One receipt → one K3Cloud entry row, or the data-quality problems that stop it. */
export function mapReceipt(input: MappingInput, mapping: Mapping): MapResult {
  const evaluation = evaluateReceipt(input, mapping);
  const { orderKey, rowKey } = evaluation;
  if (evaluation.problems.length > 0 || orderKey === undefined || rowKey === undefined) {
    return { ok: false, problems: evaluation.problems };
  }
  const fields: Record<string, FieldValue> = { [mapping.rowKey.targetField]: rowKey, ...evaluation.fields };
  const base = { formId: mapping.formId, entity: mapping.entity, orderKey, fields };
  return {
    ok: true,
    row: {
      ...base,
      orderKeyField: mapping.order.targetField,
      rowKeyField: mapping.rowKey.targetField,
      rowKey,
      contentHash: contentHashOf(base),
    },
  };
}
