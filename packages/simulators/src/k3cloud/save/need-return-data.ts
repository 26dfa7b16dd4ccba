import type { FormSchema } from '../store/form-schema';
import type { Bill } from '../types';

/**
 * `NeedReturnFields` → one object per saved bill (docs/apis/k3cloud.md §4: `[key, entityKey.key]`). Entry fields
 * come back under their entity as one object per row, in row order. No fields → `{}` (the real
 * capture shows `"NeedReturnData":[{}]`). Nesting shape and the `Entity_FEntryID` alias: ASSUMPTION.
 */
export function needReturnData(schema: FormSchema, bill: Bill, fields: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const addRowField = (entityKey: string, fieldKey: string) => {
    const entity = schema.entity(entityKey);
    const field = entity?.fields.get(fieldKey.toLowerCase());
    if (!entity || !field) return;
    const rows = Array.isArray(bill[entity.name]) ? (bill[entity.name] as Array<Record<string, unknown>>) : [];
    const target = (out[entity.name] ??= rows.map(() => ({}))) as Array<Record<string, unknown>>;
    rows.forEach((row, i) => {
      if (target[i]) target[i][field] = row[field] ?? null;
    });
  };
  for (const key of fields) {
    const dot = key.indexOf('.');
    const alias = /^(.+)_(FEntryID)$/i.exec(key);
    if (dot > 0 && schema.entity(key.slice(0, dot))) addRowField(key.slice(0, dot), key.slice(dot + 1));
    else if (alias?.[1] && schema.entity(alias[1])) addRowField(alias[1], 'FEntryID');
    else if (schema.headerField(key))
      out[schema.headerField(key) as string] = bill[schema.headerField(key) as string] ?? null;
    else {
      const owner = schema.entityOfField(key);
      if (owner) addRowField(owner.entity, owner.field);
    }
  }
  return out;
}
