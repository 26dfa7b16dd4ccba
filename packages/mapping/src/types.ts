import type { ProblemWhy } from '@receipt-sync/core';
/** What the transformer hands to the mapping: one OKKI receipt as received, plus optional enrichment. */
export interface MappingInput {
  /** An OKKI receipt list item (docs/apis/okki.md §5), loosely typed: nothing about it is trusted yet. */
  receipt: Record<string, unknown>;
  /** `/v1/invoices/receipt/info` data (docs/apis/okki.md §6), when the pipeline fetched it. */
  info?: Record<string, unknown>;
  /** True when the receipt came from `receipt/list?removed=1` (docs/apis/okki.md §8). */
  removed: boolean;
}

/** A value K3Cloud accepts in a row field of the BatchSave Model. */
export type FieldValue = string | boolean | number | null;

/** Stable rule names; dashboards and quarantine records group by these. */
export const QUALITY_RULES = [
  'not-an-object',
  'missing',
  'no-order',
  'invalid-id',
  'invalid-date',
  'not-a-number',
  'absurd-amount',
  'negative-amount',
  'precision',
  'real-amount-mismatch',
  'too-long',
  'wrong-type',
  'unknown-value',
] as const;
export type QualityRule = (typeof QUALITY_RULES)[number];

/** A problem said in words any language can render (core's ProblemWhy); `message` stays the English text. */
export type { ProblemWhy };

export interface QualityProblem {
  /** The OKKI source path (`real_amount`, `external_field_data_info.3564970299`), or the target when there is none. */
  field: string;
  rule: QualityRule;
  /** For people and logs, in English: names the field and the receipt (no and id). */
  message: string;
  /** The same problem as a catalogue key and values (`qualityProblemText` in core renders it). */
  why: ProblemWhy;
}

/** One K3Cloud entry row, ready for the writer (which adds FEntryID). */
export interface MappedRow {
  formId: string;
  entity: string;
  orderKeyField: string;
  orderKey: string;
  rowKeyField: string;
  rowKey: string;
  fields: Record<string, FieldValue>;
  /** sha256 of canonical JSON {formId, entity, orderKey, fields}: equal hash = nothing to write. */
  contentHash: string;
}

export type MapResult = { ok: true; row: MappedRow } | { ok: false; problems: QualityProblem[] };
