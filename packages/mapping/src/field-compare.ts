import { parseChinaTime, formatChinaTime } from '@receipt-sync/core';
import type { Mapping, MappingField } from './schema';
import { tryParseMoney } from '@receipt-sync/core';

/** One mapped field whose K3Cloud value is not what the mapping produced. */
export interface FieldDifference {
  field: string;
  expected: unknown;
  actual: unknown;
}

/**
 * How a K3Cloud field's value is compared: K3Cloud hands values back in its own shape. One
 * comparison for the writer's read-back (verified writes) and for reconcile, so both name the
 * same differences.
 */
export type ValueKind = 'text' | 'decimal' | 'datetime' | 'bool';

function kindOf(field: MappingField): ValueKind {
  switch (field.type) {
    case 'decimal':
      return 'decimal';
    case 'datetime':
      return 'datetime';
    case 'bool':
    case 'removedFlag':
      return 'bool';
    case 'customField':
    case 'enrichment':
      return field.convert === 'decimal' ? 'decimal' : 'text';
    case 'constant':
      return typeof field.value === 'boolean' ? 'bool' : typeof field.value === 'number' ? 'decimal' : 'text';
    default:
      return 'text';
  }
}

/** Target field → comparison kind, for every field of the mapping (the row key is text). */
export function fieldKinds(mapping: Mapping): Map<string, ValueKind> {
  const kinds = new Map<string, ValueKind>([[mapping.rowKey.targetField, 'text']]);
  for (const field of mapping.fields) kinds.set(field.target, kindOf(field));
  return kinds;
}

/** The removed-flag target of the mapping, when it has one. */
export function removedFlagField(mapping: Mapping): string | undefined {
  return mapping.fields.find((f) => f.type === 'removedFlag')?.target;
}

/**
 * A value in a form both sides agree on, so "200.00" (what we send) equals 200 (what K3Cloud's
 * query returns for a decimal, docs/apis/k3cloud.md §6) and "2025-04-16 00:00:00" equals
 * "2025-04-16T00:00:00". Empty decimals read back as 0 and empty text as "", so those are equal too.
 */
export function normalizeValue(kind: ValueKind, value: unknown): string {
  switch (kind) {
    case 'decimal': {
      if (value === null || value === undefined || value === '') return '0';
      const money = tryParseMoney(value);
      return money === undefined ? `invalid:${String(value)}` : money.toFixed();
    }
    case 'datetime': {
      if (value === null || value === undefined || value === '') return '';
      if (typeof value !== 'string') return `invalid:${String(value)}`;
      // K3Cloud may add milliseconds ("…T00:00:00.000"); they are not part of what we write.
      const parsed = parseChinaTime(value.trim().replace(/\.\d+$/, ''));
      return parsed === undefined ? `invalid:${value}` : formatChinaTime(parsed);
    }
    case 'bool':
      return isTrue(value) ? 'true' : 'false';
    case 'text':
      return value === null || value === undefined ? '' : String(value);
  }
}

/** K3Cloud checkboxes come back as bools; JSON bodies sometimes carry "true"/"1" (docs/apis/k3cloud.md §4). */
export function isTrue(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value === 1;
  if (typeof value === 'string') return /^(true|1)$/i.test(value.trim());
  return false;
}

/**
 * Fields of `expected` (the current mapping of the OKKI receipt) whose K3Cloud value differs.
 * Fields the mapping left out (enrichment not fetched) are absent from `expected`, so not compared.
 */
export function diffFields(
  kinds: ReadonlyMap<string, ValueKind>,
  expected: Readonly<Record<string, unknown>>,
  actual: Readonly<Record<string, unknown>>,
  skip: ReadonlySet<string> = new Set(),
): FieldDifference[] {
  const out: FieldDifference[] = [];
  for (const [field, want] of Object.entries(expected)) {
    if (skip.has(field)) continue;
    const kind = kinds.get(field) ?? 'text';
    const have = actual[field];
    if (normalizeValue(kind, want) !== normalizeValue(kind, have))
      out.push({ field, expected: want, actual: have ?? null });
  }
  return out;
}
