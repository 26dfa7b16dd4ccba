import { getIgnoringCase } from '../case-insensitive';

export interface SaveOptions {
  /** Spec §4: default true. */
  isDeleteEntry: boolean;
  /** Lower-cased; null when absent or empty (then every field in the Model is written). */
  needUpdateFields: Set<string> | null;
  needReturnFields: string[];
  batchCount: number;
}

export type ParsedOption<T> = { ok: true; value: T } | { ok: false; message: string };

/** Spec §4: booleans are documented as bool but the official templates send "true"/"false". */
function bool(data: Record<string, unknown>, key: string, fallback: boolean): ParsedOption<boolean> {
  const v = getIgnoringCase(data, key);
  if (v === undefined || v === null || v === '') return { ok: true, value: fallback };
  if (typeof v === 'boolean') return { ok: true, value: v };
  if (typeof v === 'string' && /^(true|false)$/i.test(v.trim()))
    return { ok: true, value: v.trim().toLowerCase() === 'true' };
  return { ok: false, message: `参数${key}的值“${String(v)}”不是有效的布尔值` };
}

function stringList(data: Record<string, unknown>, key: string): ParsedOption<string[]> {
  const v = getIgnoringCase(data, key);
  if (v === undefined || v === null || v === '') return { ok: true, value: [] };
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return { ok: true, value: v as string[] };
  // Some callers send "F1,F2" as one string.
  if (typeof v === 'string')
    return {
      ok: true,
      value: v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    };
  return { ok: false, message: `参数${key}必须是字符串数组` };
}

export function parseSaveOptions(data: Record<string, unknown>): ParsedOption<SaveOptions> {
  const isDeleteEntry = bool(data, 'IsDeleteEntry', true);
  if (!isDeleteEntry.ok) return isDeleteEntry;
  for (const key of [
    'IsVerifyBaseDataField',
    'IsEntryBatchFill',
    'ValidateFlag',
    'NumberSearch',
    'IsAutoSubmitAndAudit',
    'IsAutoAdjustField',
    'IgnoreInterationFlag',
    'IsControlPrecision',
    'ValidateRepeatJson',
  ]) {
    const b = bool(data, key, false);
    if (!b.ok) return b;
  }
  const update = stringList(data, 'NeedUpDateFields');
  if (!update.ok) return update;
  const ret = stringList(data, 'NeedReturnFields');
  if (!ret.ok) return ret;
  const rawBatch = getIgnoringCase(data, 'BatchCount');
  const batchCount = rawBatch === undefined || rawBatch === null || rawBatch === '' ? 0 : Number(rawBatch);
  if (!Number.isInteger(batchCount) || batchCount < 0)
    return { ok: false, message: `参数BatchCount的值“${String(rawBatch)}”无效` };
  return {
    ok: true,
    value: {
      isDeleteEntry: isDeleteEntry.value,
      needUpdateFields: update.value.length ? new Set(update.value.map((f) => f.toLowerCase())) : null,
      needReturnFields: ret.value,
      batchCount,
    },
  };
}
