/**
 * Reads a mapping `source` dot path from the receipt, or from the info record with an `info.` prefix.
 * docs/apis/okki.md §3: PHP serialises an empty object as `[]`, so `[]` (and `{}`) wherever a path passes
 * through, or ends, count as "absent" rather than as a value.
 */
export type SourceRead = { kind: 'value'; value: unknown } | { kind: 'absent' } | { kind: 'no-info' };

export const INFO_PREFIX = 'info.';

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** undefined, null, blank strings, `[]` and `{}`. */
export function isAbsent(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.length === 0;
  if (isRecord(value)) return Object.keys(value).length === 0;
  return false;
}

function walk(root: unknown, segments: string[]): SourceRead {
  let current: unknown = root;
  for (const segment of segments) {
    if (Array.isArray(current) && /^\d+$/.test(segment)) {
      current = current[Number(segment)];
    } else if (isRecord(current)) {
      current = Object.hasOwn(current, segment) ? current[segment] : undefined;
    } else {
      return { kind: 'absent' };
    }
  }
  return isAbsent(current) ? { kind: 'absent' } : { kind: 'value', value: current };
}

/**
 * `no-info` means the path reads the info record but the pipeline did not fetch one: the field is then
 * left out of the row (see evaluate-field.ts), which is different from "info says there is nothing".
 */
export function readSource(receipt: unknown, info: unknown, path: string): SourceRead {
  if (path.startsWith(INFO_PREFIX)) {
    if (!isRecord(info)) return { kind: 'no-info' };
    return walk(info, path.slice(INFO_PREFIX.length).split('.'));
  }
  return walk(receipt, path.split('.'));
}
