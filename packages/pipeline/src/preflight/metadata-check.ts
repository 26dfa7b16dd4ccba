import { K3CloudFieldUnknownError } from '@receipt-sync/core';
import { findUnknownFieldKeys, type FieldKeyProbe } from '@receipt-sync/k3cloud';
import { mappedFieldKeys, type Mapping } from '@receipt-sync/mapping';
import type { MetadataReport } from './attention';

/**
 * The metadata preflight (docs/apis/k3cloud.md §7): every K3Cloud key the mapping uses — lookup field,
 * entry-key alias, row identity, each row field — must exist in the tenant's metadata. Throws when
 * the check could not run (login, network).
 */
export async function checkMappedKeys(k3: FieldKeyProbe, mapping: Mapping): Promise<MetadataReport> {
  const keys = mappedFieldKeys(mapping);
  const unknownKeys = await findUnknownFieldKeys(k3, keys.formId, keys.all);
  return { ok: unknownKeys.length === 0, formId: keys.formId, unknownKeys, checkedAt: new Date().toISOString() };
}

/** What the operator reads when the preflight fails (sync:once exit message, /readyz, alert). */
export function metadataProblem(report: Pick<MetadataReport, 'formId' | 'unknownKeys'>): string {
  return (
    `K3Cloud's metadata for ${report.formId} lacks ${report.unknownKeys.length} mapped field key(s): ` +
    `${report.unknownKeys.join(', ')}. Nothing is written until they exist or MAPPING_FILE names the tenant's keys ` +
    '(run `npm run cli -- doctor`)'
  );
}

/** The same finding as a typed error: jobs wait (misconfigured) instead of being dead-lettered. */
export function metadataError(report: MetadataReport, retryAfterMs?: number): K3CloudFieldUnknownError {
  return new K3CloudFieldUnknownError(report.unknownKeys, metadataProblem(report), {
    ...(retryAfterMs ? { retryAfterMs } : {}),
  });
}
