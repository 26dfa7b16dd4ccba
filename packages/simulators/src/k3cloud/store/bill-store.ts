import type { Bill, FieldType, FormFieldConfig, SeedBill } from '../types';
import { DEFAULT_FIELD_TYPES, DEFAULT_FORM_FIELDS } from './default-schema';
import { normaliseValue } from './field-values';
import { FormSchema } from './form-schema';

/** SQL Server's default collation compares case- and trailing-space-insensitively. */
const numberKey = (billNo: string) => billNo.trimEnd().toLowerCase();

const BILL_NO_PREFIX: Record<string, string> = { SAL_SaleOrder: 'XSDD' };

/** In-memory bills per form id, with K3-like id and number allocation. Reads hand out live objects. */
export class BillStore {
  private readonly forms = new Map<string, Map<number, Bill>>();
  private readonly schemas = new Map<string, FormSchema>();
  private readonly billNoSeq = new Map<string, number>();
  /** form id → lower-cased FBillNo → FID; FBillNo is unique per form (docs/apis/k3cloud.md §7). */
  private readonly billNos = new Map<string, Map<string, number>>();
  private nextFid = 100_001;
  private nextEntryId = 200_001;
  private readonly types: Record<string, FieldType>;

  constructor(
    private readonly extraFields: Record<string, FormFieldConfig> = {},
    extraTypes: Record<string, FieldType> = {},
    private readonly lackingFields: Record<string, string[]> = {},
  ) {
    this.types = { ...DEFAULT_FIELD_TYPES, ...extraTypes };
    for (const formId of new Set([...Object.keys(DEFAULT_FORM_FIELDS), ...Object.keys(extraFields)]))
      this.schema(formId);
  }

  /** Whether the form exists (docs/apis/k3cloud.md §5.3: an unknown FormId answers 业务对象不存在). */
  hasForm(formId: string): boolean {
    return this.schemas.has(formId);
  }

  schema(formId: string): FormSchema {
    let schema = this.schemas.get(formId);
    if (!schema) {
      schema = new FormSchema(formId, this.types, this.lackingFields[formId]);
      schema.addConfig(DEFAULT_FORM_FIELDS[formId]);
      schema.addConfig(this.extraFields[formId]);
      this.schemas.set(formId, schema);
      this.forms.set(formId, new Map());
    }
    return schema;
  }

  /** Adds bills as the generator made them; missing FIDs/FEntryIDs are allocated, values typed. */
  seed(formId: string, bills: SeedBill[]): Bill[] {
    const schema = this.schema(formId);
    const seeded: Bill[] = [];
    for (const source of bills) {
      const bill = structuredClone(source) as Record<string, unknown>;
      const fid = Number(bill.FID);
      bill.FID = Number.isInteger(fid) && fid > 0 ? fid : this.allocateFid();
      this.nextFid = Math.max(this.nextFid, (bill.FID as number) + 1);
      if (typeof bill.FBillNo !== 'string' || bill.FBillNo === '') bill.FBillNo = this.allocateBillNo(formId);
      for (const [key, value] of Object.entries(bill)) {
        if (Array.isArray(value)) {
          for (const row of value as Array<Record<string, unknown>>) {
            const entryId = Number(row.FEntryID);
            row.FEntryID = Number.isInteger(entryId) && entryId > 0 ? entryId : this.allocateEntryId();
            this.nextEntryId = Math.max(this.nextEntryId, (row.FEntryID as number) + 1);
            for (const [k, v] of Object.entries(row)) row[k] = this.typed(k, v);
          }
        } else {
          bill[key] = this.typed(key, value);
        }
      }
      schema.learn(bill);
      this.put(formId, bill as Bill);
      seeded.push(bill as Bill);
    }
    return seeded;
  }

  private typed(field: string, value: unknown): unknown {
    const n = normaliseValue(field, this.types[field], value);
    return n.ok ? n.value : value;
  }

  get(formId: string, fid: number): Bill | undefined {
    return this.forms.get(formId)?.get(fid);
  }

  put(formId: string, bill: Bill): void {
    this.schema(formId);
    const numbers = this.billNos.get(formId) ?? new Map<string, number>();
    this.billNos.set(formId, numbers);
    const previous = this.forms.get(formId)?.get(bill.FID);
    if (typeof previous?.FBillNo === 'string') numbers.delete(numberKey(previous.FBillNo));
    if (typeof bill.FBillNo === 'string' && bill.FBillNo !== '') numbers.set(numberKey(bill.FBillNo), bill.FID);
    this.forms.get(formId)?.set(bill.FID, bill);
  }

  all(formId: string): Bill[] {
    return [...(this.forms.get(formId)?.values() ?? [])].sort((a, b) => a.FID - b.FID);
  }

  findByBillNo(formId: string, billNo: string): Bill | undefined {
    const fid = this.billNos.get(formId)?.get(numberKey(billNo));
    return fid === undefined ? undefined : this.get(formId, fid);
  }

  allocateFid(): number {
    return this.nextFid++;
  }

  allocateEntryId(): number {
    return this.nextEntryId++;
  }

  /** Auto-numbering when FBillNo is blank (docs/apis/k3cloud.md §7), e.g. XSDD000001. */
  allocateBillNo(formId: string): string {
    const prefix =
      BILL_NO_PREFIX[formId] ??
      formId
        .replace(/[^A-Za-z]/g, '')
        .slice(0, 4)
        .toUpperCase();
    for (;;) {
      const seq = (this.billNoSeq.get(formId) ?? 0) + 1;
      this.billNoSeq.set(formId, seq);
      const candidate = `${prefix}${String(seq).padStart(6, '0')}`;
      if (!this.findByBillNo(formId, candidate)) return candidate;
    }
  }
}
