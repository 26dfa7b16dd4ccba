import { z } from 'zod';

/** The body OKKI posts (docs/apis/okki.md §12.4). */
export const PushEnvelopeSchema = z.object({
  message_id: z.string().min(1).max(200),
  data: z.string().min(1),
});
export type PushEnvelope = z.infer<typeof PushEnvelopeSchema>;

/** `biz_data` may be an object or a JSON string (§12.4, unverified nesting): both are accepted. */
const BizData = z.preprocess((v) => {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
}, z.unknown());

export const PushPlainTextSchema = z.object({
  biz: z.array(z.object({ biz_type: z.string().min(1), biz_data: BizData })).min(1),
});
export type PushPlainText = z.infer<typeof PushPlainTextSchema>;

export const RECEIPT_EVENT_PREFIX = 'xiaoman.crm.cash_collection.';
export const RECEIPT_EVENTS = ['create', 'update', 'delete'] as const;
export type ReceiptEvent = (typeof RECEIPT_EVENTS)[number];

const ReceiptBizData = z.object({
  cash_collection_id: z.union([
    z.number().int().positive(),
    z
      .string()
      .regex(/^[1-9]\d*$/)
      .transform(Number),
  ]),
});

export interface ReceiptPush {
  receiptId: number;
  event: ReceiptEvent;
}

/**
 * Receipt events of one message. Entries of other modules are ignored (a tenant may subscribe
 * more); a receipt entry without a usable cash_collection_id makes the whole message invalid.
 */
export function receiptEventsOf(
  plain: PushPlainText,
): { ok: true; events: ReceiptPush[] } | { ok: false; issue: string } {
  const events: ReceiptPush[] = [];
  for (const [i, entry] of plain.biz.entries()) {
    if (!entry.biz_type.startsWith(RECEIPT_EVENT_PREFIX)) continue;
    const event = entry.biz_type.slice(RECEIPT_EVENT_PREFIX.length) as ReceiptEvent;
    if (!RECEIPT_EVENTS.includes(event)) return { ok: false, issue: `biz[${i}].biz_type: unknown receipt event` };
    const data = ReceiptBizData.safeParse(entry.biz_data);
    if (!data.success) return { ok: false, issue: `biz[${i}].biz_data.cash_collection_id: missing or not an id` };
    events.push({ receiptId: data.data.cash_collection_id, event });
  }
  return { ok: true, events };
}
