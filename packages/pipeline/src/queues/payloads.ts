import { z } from 'zod';
import { DEAD_LETTER_KINDS } from '@receipt-sync/core';

/** A receipt as OKKI listed it, kept whole: mapping rules read any field of it later. */
export const RawReceiptSchema = z.looseObject({
  cash_collection_id: z.number().int().positive(),
  update_time: z.string().min(1),
});

export const RawReceiptJobSchema = z.object({
  windowId: z.string().min(1),
  removed: z.boolean(),
  fetchedAt: z.string(),
  receipt: RawReceiptSchema,
});
export type RawReceiptJob = z.infer<typeof RawReceiptJobSchema>;

const FieldValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/**
 * One mapped K3Cloud row, ready to be written into its sales order. Where rows go (form, entity,
 * row-key field) is the writer's mapping, not part of each row.
 */
export const ReadyRowSchema = z.object({
  windowId: z.string().min(1),
  receiptId: z.string().regex(/^\d+$/),
  receiptNo: z.string().min(1),
  orderId: z.string().regex(/^\d+$/),
  /**
   * The sales order's FID when the transformer already knew it (ledger, order-index cache); the
   * writer resolves every order itself in its one query before the save, and keeps this FID only
   * when that query still finds it carrying the order id.
   */
  fid: z.number().int().positive().optional(),
  sourceVersion: z.string().min(1),
  removed: z.boolean(),
  rowKey: z.string().min(1),
  fields: z.record(z.string(), FieldValue),
  contentHash: z.string().min(1),
});
export type ReadyRow = z.infer<typeof ReadyRowSchema>;

export const DeadLetterKindSchema = z.enum(DEAD_LETTER_KINDS);

/** What an operator sees (and replays) on the dead-letter and quarantine queues. */
export const DeadLetterJobSchema = z.object({
  kind: DeadLetterKindSchema,
  sourceQueue: z.enum(['raw', 'ready']),
  sourceJobId: z.string(),
  payload: z.unknown(),
  code: z.string(),
  reason: z.string(),
  attemptsMade: z.number().int().nonnegative(),
  failedAt: z.string(),
  receiptId: z.string().optional(),
  receiptNo: z.string().optional(),
  windowId: z.string().optional(),
  /** How many times an operator has replayed this record already. */
  replays: z.number().int().nonnegative().default(0),
});
export type DeadLetterJob = z.infer<typeof DeadLetterJobSchema>;

/** One receipt event of an OKKI push message (docs/apis/okki.md §12.3): fetch the receipt and feed `raw`. */
export const PushEventJobSchema = z.object({
  receiptId: z.number().int().positive(),
  event: z.enum(['create', 'update', 'delete']),
  messageId: z.string().min(1),
  receivedAt: z.string(),
});
export type PushEventJob = z.infer<typeof PushEventJobSchema>;

/** A scheduler tick asking the producer to open the next window. */
export const WindowTickSchema = z.object({
  trigger: z.enum(['schedule', 'manual', 'sync-once']).default('schedule'),
});
export type WindowTick = z.infer<typeof WindowTickSchema>;

/** Counters the pipeline keeps inside job data (stripped from dead letters). */
export interface JobBookkeeping {
  __dependencyWaits?: number;
  __replays?: number;
}

/** Turns a zod failure into field-naming messages, e.g. `receipt.update_time: expected string`. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`);
}
