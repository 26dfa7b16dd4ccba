import type { Mapping } from '@receipt-sync/mapping';
import { RawReceiptJobSchema, ReadyRowSchema } from '@receipt-sync/pipeline';

/** The money facts a receipt page leads with, and where they were read. */
export interface ReceiptFacts {
  /** `k3cloud`: the values last written; `okki`: the receipt as OKKI sent it (nothing written yet); `mapped`: the row the writer could not write. */
  source: 'k3cloud' | 'okki' | 'mapped';
  customer?: string;
  amount?: unknown;
  realAmount?: unknown;
  currency?: string;
  collectionDate?: string;
  type?: string;
  /** The OKKI order's number (order_info.order_no), when OKKI sent it. */
  orderNo?: string;
}

/** OKKI source fields the page shows, and their facts. */
const SOURCES = {
  amount: 'amount',
  realAmount: 'real_amount',
  currency: 'currency',
  collectionDate: 'collection_date',
  type: 'type',
} as const;

const text = (v: unknown) =>
  typeof v === 'string' && v.trim() !== '' ? v : typeof v === 'number' ? String(v) : undefined;
const present = (v: unknown) => (v === null || v === undefined || v === '' ? undefined : v);

/** K3Cloud field values (written or mapped) read back through the mapping: target key → OKKI meaning. */
export function factsFromFields(
  fields: Record<string, unknown>,
  mapping: Mapping,
  source: 'k3cloud' | 'mapped',
): ReceiptFacts {
  const bySource = new Map(mapping.fields.map((f) => ['source' in f ? f.source : undefined, f.target]));
  const read = (okki: string) => {
    const target = bySource.get(okki);
    return target === undefined ? undefined : present(fields[target]);
  };
  return {
    source,
    amount: read(SOURCES.amount),
    realAmount: read(SOURCES.realAmount),
    currency: text(read(SOURCES.currency)),
    collectionDate: text(read(SOURCES.collectionDate)),
    type: text(read(SOURCES.type)),
  };
}

/** The receipt as OKKI listed it (a raw job's payload). */
export function factsFromOkki(receipt: Record<string, unknown>): ReceiptFacts {
  const company = receipt.company_info as { name?: unknown } | null | undefined;
  const order = receipt.order_info as { order_no?: unknown } | null | undefined;
  return {
    source: 'okki',
    customer: text(company && typeof company === 'object' ? company.name : undefined),
    amount: present(receipt.amount),
    realAmount: present(receipt.real_amount),
    currency: text(receipt.currency),
    collectionDate: text(receipt.collection_date),
    type: text(receipt.type),
    orderNo: text(order && typeof order === 'object' ? order.order_no : undefined),
  };
}

/** Facts from a parked payload: a raw job (OKKI's receipt) or a ready row (the mapped K3Cloud row). */
export function factsFromPayload(payload: unknown, mapping: Mapping): ReceiptFacts | undefined {
  const raw = RawReceiptJobSchema.safeParse(payload);
  if (raw.success) return factsFromOkki(raw.data.receipt);
  const ready = ReadyRowSchema.safeParse(payload);
  if (ready.success) return factsFromFields(ready.data.fields, mapping, 'mapped');
  return undefined;
}

/** The mapping's label of a K3Cloud key (实到账金额 for F_PBLH_Decimal), or undefined. */
export function fieldLabel(mapping: Mapping, target: string): string | undefined {
  return mapping.fields.find((f) => f.target === target)?.label;
}
