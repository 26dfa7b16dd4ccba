import { RECEIPT_STATUSES, type ReceiptStatus } from '@receipt-sync/core';
import { z } from 'zod';
import { chinaTimeSchema, idSchema } from './validate';

export interface LedgerError {
  /** Stable code of a typed error (core `errors/`, `k3cloud.order-not-found`, ...). */
  code: string;
  message: string;
  at: Date;
}

/** One entry per OKKI receipt; `receiptId` is its `cash_collection_id` as a string. */
export interface LedgerEntry {
  receiptId: string;
  receiptNo: string;
  orderId: string;
  /** OKKI `update_time` of the version this entry describes (`YYYY-MM-DD HH:mm:ss`); '' when unknown. */
  sourceVersion: string;
  removed: boolean;
  status: ReceiptStatus;
  /** Hash of the mapped K3Cloud row last written; equal hash → `unchanged`, no K3Cloud call. */
  contentHash?: string;
  k3Fid?: number;
  k3EntryId?: number;
  lastError?: LedgerError;
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
  k3Fid: number;
  k3EntryId: number;
}

/** Any other outcome (pending, unchanged, quarantined, dead-lettered). */
export interface OutcomePatch {
  status: ReceiptStatus;
  /** `at` defaults to now. Cleared automatically when status becomes `written` or `unchanged`. */
  lastError?: { code: string; message: string; at?: Date };
  receiptNo?: string;
  orderId?: string;
  sourceVersion?: string;
  removed?: boolean;
}

export interface LedgerListFilter {
  status?: ReceiptStatus;
  orderId?: string;
  /** @defaultValue 100 (at most 1000) */
  limit?: number;
  /** Cursor: the last `receiptId` of the previous page (exclusive). */
  after?: string;
}

/** Entries with the same current error code and message. */
export interface ErrorGroup {
  code: string;
  message: string;
  count: number;
  lastAt: Date;
  /** Up to five receipt ids, newest error first. */
  sampleReceiptIds: string[];
}

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
   * stale job's outcome and is ignored, by the same rule as `recordWritten`.
   */
  recordOutcome(receiptId: string, patch: OutcomePatch): Promise<void>;
  /** Adds one attempt (creating a `pending` entry if needed) and returns the new count. */
  incrementAttempts(receiptId: string): Promise<number>;
  /** Entries per status; every status is present (0 when none). */
  countByStatus(): Promise<Record<ReceiptStatus, number>>;
  /** Entries ordered by `receiptId` (binary string order), after the `after` cursor. */
  list(filter?: LedgerListFilter): Promise<LedgerEntry[]>;
  /**
   * Current errors grouped by code + message, most recent group first. Looks at the newest
   * ERROR_SCAN_LIMIT entries that carry an error, so it stays cheap on a large ledger.
   */
  latestErrors(limit: number): Promise<ErrorGroup[]>;
}

/** How many errored entries `latestErrors` groups, newest first. */
export const ERROR_SCAN_LIMIT = 5_000;
export const ERROR_SAMPLE_SIZE = 5;

const versionSchema = z.union([z.literal(''), chinaTimeSchema]);

export const writtenSchema = z.object({
  receiptId: idSchema,
  receiptNo: z.string().max(256),
  orderId: z.string().max(256),
  sourceVersion: chinaTimeSchema,
  removed: z.boolean(),
  contentHash: z.string().min(1).max(512),
  k3Fid: z.number().int().positive(),
  k3EntryId: z.number().int().positive(),
});

export const outcomeSchema = z.object({
  status: z.enum(RECEIPT_STATUSES),
  lastError: z
    .object({ code: z.string().min(1).max(200), message: z.string().max(4000), at: z.date().optional() })
    .optional(),
  receiptNo: z.string().max(256).optional(),
  orderId: z.string().max(256).optional(),
  sourceVersion: versionSchema.optional(),
  removed: z.boolean().optional(),
});

/** Stored form, read back from either backend (unknown keys such as `_id`/`rev` are dropped). */
export const ledgerEntrySchema = z.object({
  receiptId: z.string(),
  receiptNo: z.string(),
  orderId: z.string(),
  sourceVersion: z.string(),
  removed: z.boolean(),
  status: z.enum(RECEIPT_STATUSES),
  contentHash: z.string().optional(),
  k3Fid: z.number().optional(),
  k3EntryId: z.number().optional(),
  lastError: z.object({ code: z.string(), message: z.string(), at: z.coerce.date() }).optional(),
  attempts: z.number().int(),
  updatedAt: z.coerce.date(),
  writtenAt: z.coerce.date().optional(),
});
