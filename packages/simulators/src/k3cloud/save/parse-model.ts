import { isPlainObject } from '../case-insensitive';
import { unknownFieldMessage, wrongLevelMessage } from '../responses';
import { normaliseValue } from '../store/field-values';
import type { FormSchema } from '../store/form-schema';

export interface FieldError {
  FieldName: string | null;
  Message: string;
}

export type Entry = [field: string, value: unknown];

export interface ParsedModel {
  fid: number;
  header: Entry[];
  entities: Array<{ name: string; rows: Array<{ entryId: number; fields: Entry[] }> }>;
}

export type ParseResult = { ok: true; model: ParsedModel } | { ok: false; msgCode: number; errors: FieldError[] };

/**
 * Checks a Model against the form's metadata: every key must be a known header field or entry
 * entity (unknown → MsgCode 9 `元数据中标识为X的字段不存在`, docs/apis/k3cloud.md §5.3), values must fit their type
 * (→ MsgCode 11, ASSUMPTION). Keys come back in their canonical spelling.
 */
export function parseModel(schema: FormSchema, raw: unknown): ParseResult {
  if (!isPlainObject(raw))
    return { ok: false, msgCode: 8, errors: [{ FieldName: 'Model', Message: 'Model数据包必须是JSON对象' }] };
  const unknown: FieldError[] = [];
  const invalid: FieldError[] = [];
  const typed = (field: string, value: unknown): unknown => {
    const n = normaliseValue(field, schema.typeOf(field), value);
    if (n.ok) return n.value;
    invalid.push({ FieldName: field, Message: n.message });
    return value;
  };
  const model: ParsedModel = { fid: 0, header: [], entities: [] };
  for (const [key, value] of Object.entries(raw)) {
    if (Array.isArray(value)) {
      const entity = schema.entity(key);
      if (!entity) {
        unknown.push({ FieldName: key, Message: unknownFieldMessage(key) });
        continue;
      }
      const rows: ParsedModel['entities'][number]['rows'] = [];
      for (const row of value) {
        if (!isPlainObject(row)) {
          invalid.push({ FieldName: entity.name, Message: `单据体${entity.name}的分录必须是JSON对象` });
          continue;
        }
        let entryId = 0;
        const fields: Entry[] = [];
        for (const [rk, rv] of Object.entries(row)) {
          const field = entity.fields.get(rk.toLowerCase());
          if (!field) unknown.push({ FieldName: rk, Message: unknownKeyMessage(schema, rk, entity.name) });
          else if (field === 'FEntryID') entryId = Number(typed(field, rv ?? 0)) || 0;
          else fields.push([field, typed(field, rv)]);
        }
        rows.push({ entryId, fields });
      }
      // ASSUMPTION: `[]` is not processed (docs/apis/k3cloud.md §4.1 documents `[{}]` as the way to empty an entity).
      if (value.length > 0) model.entities.push({ name: entity.name, rows });
    } else {
      const field = schema.headerField(key);
      if (!field) unknown.push({ FieldName: key, Message: unknownKeyMessage(schema, key, 'BillHead') });
      else if (field === 'FID') model.fid = Number(typed(field, value ?? 0)) || 0;
      else model.header.push([field, typed(field, value)]);
    }
  }
  // Like K3Cloud, only the first unknown key is named (docs/apis/k3cloud.md §7 preflight).
  if (unknown.length) return { ok: false, msgCode: 9, errors: unknown.slice(0, 1) };
  if (invalid.length) return { ok: false, msgCode: 11, errors: invalid };
  if (model.fid < 0)
    return { ok: false, msgCode: 8, errors: [{ FieldName: 'FID', Message: `单据内码FID的值“${model.fid}”无效` }] };
  return { ok: true, model };
}

/** A key known at another level (header field inside a row, or the reverse) gets 实体不存在此属性 (docs/apis/k3cloud.md §5.3). */
function unknownKeyMessage(schema: FormSchema, key: string, level: string): string {
  const elsewhere = level === 'BillHead' ? schema.entityOfField(key) : schema.headerField(key);
  return elsewhere ? wrongLevelMessage(level, key) : unknownFieldMessage(key);
}

/** Entry rows in a Model, for the per-row latency fault. */
export function countModelRows(raw: unknown): number {
  if (!isPlainObject(raw)) return 0;
  return Object.values(raw).reduce<number>((n, v) => n + (Array.isArray(v) ? v.length : 0), 0);
}

/** The FID a Model targets (0 = create); used to take the bill's edit lock before applying. */
export function targetFid(raw: unknown): number {
  if (!isPlainObject(raw)) return 0;
  for (const [k, v] of Object.entries(raw)) if (k.toLowerCase() === 'fid') return Number(v) > 0 ? Number(v) : 0;
  return 0;
}
