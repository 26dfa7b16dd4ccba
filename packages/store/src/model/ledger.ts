import { RECEIPT_STATUSES, type DeadLetterKind, type ProblemWhy, type ReceiptStatus } from '@receipt-sync/core';
import { z } from 'zod';
import { errorCause } from './error-cause';
import { chinaTimeSchema, idSchema } from './validate';

export interface LedgerError {
  /** Stable code of a typed error (core `errors/`, `k3cloud.order-not-found`, ...). */
  code: string;
  message: string;
  at: Date;
  /** Id of the cause (code + reason template, see error-cause.ts); set by the store. */
  cause: string;
  /** Data-quality problems as catalogue keys and values, so pages say them in the reader's language. */
  why?: ProblemWhy[];
}

/** ProblemWhy as stored (a quarantine's data-quality problems). */
export const problemWhySchema = z
  .array(z.object({ key: z.string().max(100), params: z.record(z.string(), z.union([z.string(), z.number()])) }))
  .max(50);

/** One entry per OKKI receipt; `receiptId` is its `cash_collection_id` as a string. */
export interface LedgerEntry {
  receiptId: string;
  receiptNo: string;
  orderId: string;
  /** The customer's name as OKKI sent it (`company_info.name`) with the latest version; absent when OKKI sent none. */
  customer?: string;
  /** OKKI `update_time` of the version this entry describes (`YYYY-MM-DD HH:mm:ss`); '' when unknown. */
  sourceVersion: string;
  removed: boolean;
  status: ReceiptStatus;
  /** Hash of the mapped K3Cloud row last written; equal hash → `unchanged`, no K3Cloud call. */
  contentHash?: string;
  /**
   * Digest of the OKKI content of `sourceVersion` (two edits within one `update_time` second are
   * two versions with one stamp: the digest tells them apart). Absent on entries written before it existed.
   */
  sourceDigest?: string;
  k3Fid?: number;
  k3EntryId?: number;
  lastError?: LedgerError;
  /** While dead-lettered or quarantined: when it failed (its error's time), for the failure lists. */
  failedAt?: Date;
  /** While dead-lettered or quarantined: the dead-letter job id to replay. */
  deadLetterId?: string;
  /** The K3Cloud field values of the last successful write. */
  writtenFields?: Record<string, unknown>;
  attempts: number;
  updatedAt: Date;
  writtenAt?: Date;
}

/** A successful K3Cloud save of one receipt's row. */
export interface WrittenRecord {
  receiptId: string;
  receiptNo: string;
  orderId: string;
  sourceVersion: string;
  removed: boolean;
  contentHash: string;
  /** Digest of the OKKI content of `sourceVersion` (LedgerEntry.sourceDigest). */
  sourceDigest?: string;
  k3Fid: number;
  k3EntryId: number;
  /** The K3Cloud field values written (shown on the receipt page). */
  fields?: Record<string, unknown>;
}

/** Any other outcome (pending, unchanged, quarantined, dead-lettered). */
export interface OutcomePatch {
  status: ReceiptStatus;
  /** `at` defaults to now. Cleared automatically when status becomes `written` or `unchanged`. */
  lastError?: { code: string; message: string; at?: Date; why?: ProblemWhy[] };
  receiptNo?: string;
  orderId?: string;
  /** The customer's name from OKKI's version (LedgerEntry.customer). */
  customer?: string;
  sourceVersion?: string;
  /** Digest of the OKKI content of `sourceVersion` (LedgerEntry.sourceDigest). */
  sourceDigest?: string;
  removed?: boolean;
  /** The dead-letter job holding the receipt (status `dead-lettered` or `quarantined` only). */
  deadLetterId?: string;
}

export interface LedgerListFilter {
  status?: ReceiptStatus;
  orderId?: string;
  /** @defaultValue 100 (at most 1000) */
  limit?: number;
  /** Cursor: the last `receiptId` of the previous page (exclusive). */
  after?: string;
}

/** Entries whose current error has the same cause: code + reason template (error-cause.ts). */
export interface ErrorGroup {
  cause: string;
  code: string;
  /** The reason with receipt-specific parts replaced (`receipt #: receipt has no sales order`). */
  template: string;
  /** The newest full reason of the group. */
  message: string;
  /** Exact number of entries currently failing for this cause. */
  count: number;
  firstAt: Date;
  lastAt: Date;
  /** Up to five receipt ids, newest error first. */
  sampleReceiptIds: string[];
}

/** A page of dead-lettered or quarantined entries, newest failure first. */
export interface FailureQuery {
  status: DeadLetterKind;
  code?: string;
  orderId?: string;
  /** Failed at or after. */
  from?: Date;
  /** Failed at or before. */
  to?: Date;
  /** @defaultValue 0 */
  offset?: number;
  /** @defaultValue 50 (at most 500) */
  limit?: number;
}

export interface LedgerPage {
  /** Every entry matching the query (exact), not just this page. */
  total: number;
  entries: LedgerEntry[];
}

/** Orders of at most this many receipts are filtered in memory (an order has a handful). */
export const ORDER_SCAN_LIMIT = 10_000;

export interface LedgerRepo {
  /** The entry, or undefined when the receipt was never seen. */
  get(receiptId: string): Promise<LedgerEntry | undefined>;
  /** Entries for the ids that exist (one round trip per backend call); missing ids are absent from the map. */
  getMany(receiptIds: readonly string[]): Promise<Map<string, LedgerEntry>>;
  /**
   * Upserts a successful write: status `written`, the row's hash and K3Cloud ids, `writtenAt` = now,
   * `lastError` cleared. Never regresses: when the stored `sourceVersion` is newer than the one
   * recorded (China-time strings compared lexicographically, same format), the stored fields are
   * kept and only missing `k3Fid`/`k3EntryId` are filled in (the K3Cloud row is the same one).
   */
  recordWritten(entry: WrittenRecord): Promise<void>;
  /**
   * Upserts any other outcome. A patch carrying a `sourceVersion` older than the stored one is a
   * stale job's outcome and is ignored, by the same rule as `recordWritten` (isStaleVersion: a
   * removal wins a tie, so an active version of the same second never replaces it).
   */
  recordOutcome(receiptId: string, patch: OutcomePatch): Promise<void>;
  /**
   * Settles a newer version whose mapped row is what K3Cloud already holds (a touch), in one
   * compare-and-set: only while the entry is still `written` (or `unchanged`) with that content hash
   * on that order, and the version is not older. True when it did; false when the entry changed (a
   * version on its way to K3Cloud, another content written) and the row must go to the writer.
   */
  settleUnchanged(receiptId: string, touch: TouchRecord): Promise<boolean>;
  /** Adds one attempt (creating a `pending` entry if needed) and returns the new count. */
  incrementAttempts(receiptId: string): Promise<number>;
  /** Entries per status; every status is present (0 when none). */
  countByStatus(): Promise<Record<ReceiptStatus, number>>;
  /** Entries ordered by `receiptId` (binary string order), after the `after` cursor. */
  list(filter?: LedgerListFilter): Promise<LedgerEntry[]>;
  /**
   * Current errors grouped by cause (code + reason template), most recent group first, with exact
   * counts kept by indexes maintained on every write (no scan of the errored entries).
   */
  latestErrors(limit: number): Promise<ErrorGroup[]>;
  /** Entries currently failing for one cause, newest error first. */
  causeEntries(cause: string, page?: { offset?: number; limit?: number }): Promise<LedgerPage>;
  /**
   * Entries still `pending` whose last update is older than `before`, oldest first, at most `limit`
   * (capped at 1000): receipts whose job may have been lost (SYNC_STUCK_SECONDS). Indexed, not scanned.
   */
  stalePending(before: Date, limit: number): Promise<LedgerEntry[]>;
  /** Entries carrying this OKKI receipt number (normally one); indexed, not scanned. */
  findByReceiptNo(receiptNo: string): Promise<LedgerEntry[]>;
  /** Dead-lettered or quarantined entries, filtered and paged, with an exact total. */
  failures(query: FailureQuery): Promise<LedgerPage>;
  /**
   * Rewrites every entry through the current rules so that entries stored before an index existed
   * (receipt number, error cause, failure lists) are indexed too. Idempotent; safe while the
   * pipeline runs (each entry goes through the usual compare-and-set). Returns entries visited.
   */
  reindex(onProgress?: (done: number) => void): Promise<number>;
}

export const ERROR_SAMPLE_SIZE = 5;

const versionSchema = z.union([z.literal(''), chinaTimeSchema]);

export const writtenSchema = z.object({
  receiptId: idSchema,
  receiptNo: z.string().max(256),
  orderId: z.string().max(256),
  sourceVersion: chinaTimeSchema,
  removed: z.boolean(),
  contentHash: z.string().min(1).max(512),
  sourceDigest: z.string().min(1).max(128).optional(),
  k3Fid: z.number().int().positive(),
  k3EntryId: z.number().int().positive(),
  fields: z.record(z.string(), z.unknown()).optional(),
});

export const touchSchema = z.object({
  orderId: z.string().min(1).max(256),
  contentHash: z.string().min(1).max(512),
  sourceVersion: versionSchema,
  sourceDigest: z.string().min(1).max(128).optional(),
  removed: z.boolean(),
  receiptNo: z.string().max(256).optional(),
  customer: z.string().max(1000).optional(),
});
export type TouchRecord = z.input<typeof touchSchema>;

export const outcomeSchema = z.object({
  status: z.enum(RECEIPT_STATUSES),
  lastError: z
    .object({
      code: z.string().min(1).max(200),
      message: z.string().max(4000),
      at: z.date().optional(),
      why: problemWhySchema.optional(),
    })
    .optional(),
  receiptNo: z.string().max(256).optional(),
  orderId: z.string().max(256).optional(),
  customer: z.string().max(1000).optional(),
  sourceVersion: versionSchema.optional(),
  sourceDigest: z.string().min(1).max(128).optional(),
  removed: z.boolean().optional(),
  deadLetterId: z.string().min(1).max(300).optional(),
});

/** Stored form, read back from either backend (unknown keys such as `_id`/`rev` are dropped). */
export const ledgerEntrySchema = z.object({
  receiptId: z.string(),
  receiptNo: z.string(),
  orderId: z.string(),
  customer: z.string().optional(),
  sourceVersion: z.string(),
  removed: z.boolean(),
  status: z.enum(RECEIPT_STATUSES),
  contentHash: z.string().optional(),
  sourceDigest: z.string().optional(),
  k3Fid: z.number().optional(),
  k3EntryId: z.number().optional(),
  lastError: z
    .object({
      code: z.string(),
      message: z.string(),
      at: z.coerce.date(),
      cause: z.string().optional(),
      why: problemWhySchema.optional(),
    })
    .transform((e) => ({ ...e, cause: e.cause ?? errorCause(e.code, e.message).id }))
    .optional(),
  failedAt: z.coerce.date().optional(),
  deadLetterId: z.string().optional(),
  writtenFields: z.record(z.string(), z.unknown()).optional(),
  attempts: z.number().int(),
  updatedAt: z.coerce.date(),
  writtenAt: z.coerce.date().optional(),
});
