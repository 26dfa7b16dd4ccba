import { receiptVersionKey } from './job-ids';
import { problemWhySchema } from '@receipt-sync/store';
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
/**
 * The order key of a removal that flags the receipt on whichever orders K3Cloud holds it (a receipt
 * unlinked in OKKI whose order the ledger does not know): no sales order carries order id 0.
 */
export const ANY_ORDER = '0';

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
  /** Digest of the OKKI content of this version (two edits of one `update_time` second differ here). */
  sourceDigest: z.string().min(1).optional(),
  /**
   * Whether OKKI listed this version as removed, when the row says otherwise: an unlinked receipt is
   * listed active and written as a removal. Outcomes are counted under the version OKKI listed.
   */
  listedRemoved: z.boolean().optional(),
});
export type ReadyRow = z.infer<typeof ReadyRowSchema>;

/** The receipt version a ready row carries, as OKKI listed it (for outcomes and freshness). */
export const listedVersionKey = (row: ReadyRow): string =>
  receiptVersionKey(row.receiptId, row.sourceVersion, row.listedRemoved ?? row.removed);

export const DeadLetterKindSchema = z.enum(DEAD_LETTER_KINDS);

/** What an operator sees (and replays) on the dead-letter and quarantine queues. */
export const DeadLetterJobSchema = z.object({
  kind: DeadLetterKindSchema,
  sourceQueue: z.enum(['raw', 'ready']),
  sourceJobId: z.string(),
  payload: z.unknown(),
  code: z.string(),
  reason: z.string(),
  /** A quarantine's data-quality problems as catalogue keys and values (pages say them in their language). */
  why: problemWhySchema.optional(),
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

/** `YYYY-MM-DD HH:mm:ss`, China time: how OKKI stamps `update_time` and how reconcile windows are given. */
const ChinaStamp = z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/, "must be 'YYYY-MM-DD HH:mm:ss'");

/**
 * An operator's "reconcile this receipt" (dashboard): compare the receipt's version in OKKI,
 * K3Cloud and the ledger, and with `fix` send it through the pipeline again if they differ. The
 * window is the ledger's version of the receipt, `from` = `to`, as the CLI command would be run.
 */
export const ReconcileRequestSchema = z.object({
  receiptId: z.string().regex(/^\d+$/),
  receiptNo: z.string(),
  window: z.object({ from: ChinaStamp, to: ChinaStamp }),
  fix: z.boolean(),
  requestedAt: z.string(),
  /** Who asked (the dashboard's operator), for the logs of the process that runs it. */
  requestedBy: z.string().optional(),
});
export type ReconcileRequest = z.infer<typeof ReconcileRequestSchema>;

/** A reason's catalogue key (`reconcileReasons.*`) and values, so a page says it in its reader's language. */
const WhySchema = z.object({ key: z.string(), params: z.record(z.string(), z.union([z.string(), z.number()])) });

/** One difference reconcile found for the receipt (the OKKI payload it carries for the fix is left out). */
export const ReconcileFindingSchema = z.object({
  category: z.string(),
  reason: z.string(),
  why: WhySchema.optional(),
  receiptNo: z.string(),
  fid: z.number().optional(),
  entryId: z.number().optional(),
  entryIds: z.array(z.number()).optional(),
  fields: z.array(z.object({ field: z.string(), expected: z.unknown(), actual: z.unknown() })).optional(),
});
export type ReconcileFinding = z.infer<typeof ReconcileFindingSchema>;

/** What a finished reconcile request returns (its job's return value); the receipt page shows it. */
export const ReconcileResultSchema = z.object({
  clean: z.boolean(),
  checkedAt: z.string(),
  window: z.object({ from: z.string(), to: z.string() }),
  findings: z.array(ReconcileFindingSchema),
  /** Present when the request asked for a fix and something was fixable. */
  fix: z
    .object({
      enqueued: z.array(z.object({ receiptNo: z.string(), jobId: z.string(), categories: z.array(z.string()) })),
      skipped: z.array(z.object({ receiptNo: z.string(), reason: z.string(), why: WhySchema.optional() })),
      leftForHumans: z.number().int().nonnegative(),
    })
    .optional(),
  /** How much of OKKI and K3Cloud the window covered. */
  scanned: z.object({ okkiReceipts: z.number().int(), rows: z.number().int(), ordersFound: z.number().int() }),
});
export type ReconcileResult = z.infer<typeof ReconcileResultSchema>;

/** Counters the pipeline keeps inside job data (stripped from dead letters). */
export interface JobBookkeeping {
  __dependencyWaits?: number;
  __replays?: number;
}

/** Turns a zod failure into field-naming messages, e.g. `receipt.update_time: expected string`. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`);
}
