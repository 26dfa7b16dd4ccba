import { isPlainObject } from '../case-insensitive';
import { documentStatus, STATUS_FIELD } from '../store/document-status';
import type { FormSchema } from '../store/form-schema';
import type { Bill, FieldType } from '../types';

export type Row = Record<string, unknown>;

/** A FieldKeys / FilterString / OrderString name bound to where its value lives. */
export interface ResolvedField {
  key: string;
  /** Set for entry-level fields; the query then yields one row per entry row of this entity. */
  entity?: string;
  type?: FieldType;
  read(bill: Bill, row: Row | undefined, seq: number): unknown;
}

function navigate(value: unknown, path: string[]): unknown {
  let current = value;
  for (const segment of path) {
    if (!isPlainObject(current)) return null;
    const k = Object.keys(current).find((x) => x.toLowerCase() === segment.toLowerCase());
    current = k === undefined ? null : current[k];
  }
  return current ?? null;
}

/**
 * A base-data field alone returns its internal id in K3 (docs/apis/k3cloud.md §6); seeded refs usually carry only
 * `{FNumber}`, so the simulator falls back to the number (ASSUMPTION).
 */
function scalarOf(value: unknown): unknown {
  if (!isPlainObject(value)) return value ?? null;
  return navigate(value, ['Id']) ?? navigate(value, ['FID']) ?? navigate(value, ['FNumber']) ?? null;
}

/**
 * Resolves `FID`, `FBillNo`, `FCustId.FNumber` (header), `F_PBLH_CashCollectionNo` (entry field,
 * found in whichever entity declares it), `F_PBLH_Entity_FEntryID` / `F_PBLH_Entity_FSeq`
 * (entry PK and row number, docs/apis/k3cloud.md §6 `<EntryKey>_<PK>`). Unknown names → undefined.
 */
export function resolveField(schema: FormSchema, key: string): ResolvedField | undefined {
  const name = key.trim();
  if (schema.lacks(name)) return undefined;
  const alias = /^(.+)_(FEntryID|FSeq)$/i.exec(name);
  const aliasEntity = alias?.[1] ? schema.entity(alias[1]) : undefined;
  if (alias && aliasEntity) {
    const seq = alias[2]?.toLowerCase() === 'fseq';
    return {
      key,
      entity: aliasEntity.name,
      type: 'int',
      read: (_b, row, n) => (row ? (seq ? n : (row.FEntryID ?? null)) : null),
    };
  }
  const [base = '', ...path] = name.split('.');
  const header = schema.headerField(base);
  if (header) {
    return {
      key,
      type: path.length ? undefined : schema.typeOf(header),
      read: (bill) =>
        path.length
          ? navigate(bill[header], path)
          : header === STATUS_FIELD
            ? documentStatus(bill)
            : scalarOf(bill[header]),
    };
  }
  const owner = schema.entityOfField(base);
  if (owner) {
    return {
      key,
      entity: owner.entity,
      type: path.length ? undefined : schema.typeOf(owner.field),
      read: (_b, row) => (row ? (path.length ? navigate(row[owner.field], path) : scalarOf(row[owner.field])) : null),
    };
  }
  return undefined;
}
