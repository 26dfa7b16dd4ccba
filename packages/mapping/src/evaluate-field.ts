import { toBool, toDateTime, toDecimal, toLookup, toText, type Converted } from './converters';
import type { MappingField } from './schema';
import { readSource } from './source-path';
import type { FieldValue, MappingInput, ProblemWhy, QualityRule } from './types';

/** What one mapping field contributes to the row. */
export type FieldOutcome =
  | { kind: 'set'; value: FieldValue }
  /** Left out of the row entirely, so K3Cloud keeps what it has. */
  | { kind: 'omit' }
  | { kind: 'problem'; rule: QualityRule; detail: string; why: ProblemWhy };

/** The OKKI side of a field, used to name it in problems. */
export function fieldSourceName(field: MappingField): string {
  return 'source' in field ? field.source : field.target;
}

/** Runs the field's converter on a raw value (also used to validate `default`s at load time). */
export function convertValue(field: MappingField, raw: unknown): Converted {
  switch (field.type) {
    case 'text':
      return toText(raw, field);
    case 'decimal':
      return toDecimal(raw, field);
    case 'datetime':
      return toDateTime(raw, field.precision);
    case 'bool':
      return toBool(raw);
    case 'customField':
    case 'enrichment':
      return field.convert === 'decimal' ? toDecimal(raw, field) : toText(raw, field);
    case 'lookup':
      return toLookup(raw, field.table, field.default);
    case 'removedFlag':
      return toBool(raw); // has no source or default; evaluateField reads input.removed instead
    case 'constant':
      return { kind: 'value', value: field.value ?? null };
  }
}

function whenAbsent(field: Exclude<MappingField, { type: 'constant' | 'removedFlag' }>): FieldOutcome {
  if (field.default !== undefined) {
    // a lookup's default is already a K3Cloud value; others go through the converter (checked at load)
    if (field.type === 'lookup') return { kind: 'set', value: field.default };
    const converted = convertValue(field, field.default);
    if (converted.kind === 'value') return { kind: 'set', value: converted.value };
  }
  if (field.required)
    return {
      kind: 'problem',
      rule: 'missing',
      detail: 'is required but missing',
      why: { key: 'required', params: {} },
    };
  // docs/apis/okki.md §11.4: empty values, `[]` included, become null, so clearing a value in OKKI clears it in K3Cloud
  return { kind: 'set', value: null };
}

export function evaluateField(field: MappingField, input: MappingInput): FieldOutcome {
  if (field.type === 'constant') return { kind: 'set', value: field.value };
  if (field.type === 'removedFlag') return { kind: 'set', value: input.removed === true };
  const read = readSource(input.receipt, input.info, field.source);
  // Enrichment skipped (no info fetched): omit the field instead of writing null, so a bank already
  // written by an earlier, enriched run is never wiped just because this run did not call /receipt/info.
  if (read.kind === 'no-info') return { kind: 'omit' };
  if (read.kind === 'absent') return whenAbsent(field);
  const converted = convertValue(field, read.value);
  if (converted.kind === 'empty') return whenAbsent(field);
  if (converted.kind === 'problem') return converted;
  return { kind: 'set', value: converted.value };
}
