import { mapReceipt } from './map-receipt';
import type { Mapping, SaveOptions } from './schema';
import type { FieldValue, MappedRow, MappingInput, QualityProblem } from './types';

/** BatchSave options (docs/operations.md#default-mapping, "Write options"); IsDeleteEntry is always false. */
export function buildSaveOptions(mapping: Mapping): SaveOptions {
  const { IsDeleteEntry, IsAutoSubmitAndAudit, IsVerifyBaseDataField } = mapping.saveOptions;
  return { IsDeleteEntry, IsAutoSubmitAndAudit, IsVerifyBaseDataField };
}

/** The BatchSave Model for one receipt: `{ FID: 0, [entity]: [{ FEntryID: 0, ...fields }] }`. */
export interface PreviewPayload {
  /** Placeholder: the writer resolves the order's FID through the order key. */
  FID: number;
  [entity: string]: number | Array<Record<string, FieldValue>>;
}

export interface Preview {
  row?: MappedRow;
  problems: QualityProblem[];
  payload?: PreviewPayload;
}

/** What `mapping preview` shows: the row or its problems, and the Model the writer would send. */
export function previewReceipt(input: MappingInput, mapping: Mapping): Preview {
  const result = mapReceipt(input, mapping);
  if (!result.ok) return { problems: result.problems };
  const { row } = result;
  // FEntryID 0 = placeholder; the writer puts the row's real FEntryID (matched on the row key) here
  return { row, problems: [], payload: { FID: 0, [row.entity]: [{ FEntryID: 0, ...row.fields }] } };
}
