import type { BillStore } from '../store/bill-store';
import type { Bill } from '../types';
import { parseModel, type FieldError, type ParsedModel } from './parse-model';
import type { SaveOptions } from './save-options';

export type ModelOutcome =
  { ok: true; bill: Bill; rowsWritten: number } | { ok: false; msgCode: number; errors: FieldError[] };

type Row = Record<string, unknown> & { FEntryID: number };

/**
 * Applies one Save Model to the store, all or nothing (docs/apis/k3cloud.md §4, §4.1):
 * FID 0/absent creates a bill, FID > 0 updates it; a row with FEntryID updates that row, a row
 * without one is appended; with IsDeleteEntry (default true) the rows of a *processed* entity that
 * the package does not name are deleted, `[{}]` empties the entity; an entity absent from the Model
 * is untouched. NeedUpDateFields limits an update to the listed header fields and listed entities.
 */
export function applyModel(store: BillStore, formId: string, raw: unknown, options: SaveOptions): ModelOutcome {
  const parsed = parseModel(store.schema(formId), raw);
  if (!parsed.ok) return parsed;
  const model = parsed.model;
  const existing = model.fid > 0 ? store.get(formId, model.fid) : undefined;
  if (model.fid > 0 && !existing) {
    // ASSUMPTION: no capture of K3's answer to an unknown FID; MsgCode 10 未找到对应数据 per the table (docs/apis/k3cloud.md §5.2).
    return {
      ok: false,
      msgCode: 10,
      errors: [{ FieldName: 'FID', Message: `未找到对应数据：单据内码为${model.fid}的单据不存在或已被删除` }],
    };
  }
  const bill: Bill = existing ? structuredClone(existing) : { FID: store.allocateFid() };
  const only = existing ? options.needUpdateFields : null;
  applyHeader(bill, model, only);
  if (!existing && (typeof bill.FBillNo !== 'string' || bill.FBillNo.trim() === ''))
    bill.FBillNo = store.allocateBillNo(formId);
  const clash = typeof bill.FBillNo === 'string' ? store.findByBillNo(formId, bill.FBillNo) : undefined;
  if (clash && clash.FID !== bill.FID) {
    return {
      ok: false,
      msgCode: 11,
      errors: [
        {
          FieldName: 'FBillNo',
          Message: `违反字段唯一性要求：编码唯一。[${String(bill.FBillNo)}]在当前系统中已经被使用。`,
        },
      ],
    };
  }
  let rowsWritten = 0;
  for (const entity of model.entities) {
    if (only && !only.has(entity.name.toLowerCase())) continue; // docs/apis/k3cloud.md §4.1 / S12: unlisted entities are dropped
    const result = applyEntity(store, bill, entity, options.isDeleteEntry, only);
    if (!result.ok) return result;
    rowsWritten += result.rowsWritten;
  }
  store.put(formId, bill);
  return { ok: true, bill, rowsWritten };
}

function applyHeader(bill: Bill, model: ParsedModel, only: Set<string> | null): void {
  for (const [field, value] of model.header) {
    if (only && !only.has(field.toLowerCase())) continue;
    if (field === 'FBillNo' && (value === null || value === undefined || value === '')) continue;
    bill[field] = value;
  }
}

function applyEntity(
  store: BillStore,
  bill: Bill,
  entity: ParsedModel['entities'][number],
  isDeleteEntry: boolean,
  only: Set<string> | null,
): { ok: true; rowsWritten: number } | { ok: false; msgCode: number; errors: FieldError[] } {
  const current = Array.isArray(bill[entity.name]) ? (bill[entity.name] as Row[]) : [];
  const named = new Set<number>();
  const appended: Row[] = [];
  const listed = (field: string) =>
    !only || only.has(field.toLowerCase()) || only.has(`${entity.name}.${field}`.toLowerCase());
  for (const row of entity.rows) {
    if (row.entryId > 0) {
      const target = current.find((r) => r.FEntryID === row.entryId);
      if (!target) {
        // ASSUMPTION: K3's answer to an FEntryID that is not on the bill is not captured.
        return {
          ok: false,
          msgCode: 10,
          errors: [
            {
              FieldName: `${entity.name}.FEntryID`,
              Message: `未找到对应数据：单据体${entity.name}中不存在内码为${row.entryId}的分录`,
            },
          ],
        };
      }
      named.add(row.entryId);
      for (const [field, value] of row.fields) if (listed(field)) target[field] = value;
    } else if (row.fields.length > 0) {
      appended.push({ FEntryID: store.allocateEntryId(), ...Object.fromEntries(row.fields) });
    }
    // `{}` adds nothing, yet makes the entity "processed" so IsDeleteEntry empties it (§4.1 case 3).
  }
  const kept = isDeleteEntry ? current.filter((r) => named.has(r.FEntryID)) : current;
  bill[entity.name] = [...kept, ...appended];
  return { ok: true, rowsWritten: named.size + appended.length };
}
