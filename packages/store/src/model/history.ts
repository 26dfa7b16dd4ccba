import { z } from 'zod';
import { chinaTimeSchema, idSchema } from './validate';

/** How a receipt version reached us: paged by a sync window, or pushed by OKKI. */
export const RECEIPT_SOURCES = ['window', 'push'] as const;
export type ReceiptSource = (typeof RECEIPT_SOURCES)[number];

/** One version of one receipt as first seen (OKKI `update_time` + removed flag). */
export interface ReceiptVersion {
  receiptId: string;
  /** OKKI `update_time` (`YYYY-MM-DD HH:mm:ss`, China time). */
  updateTime: string;
  removed: boolean;
  source: ReceiptSource;
  /** When this version was first seen. */
  seenAt: Date;
  /** The sync window that fetched it (source `window`). */
  windowId?: string;
}

export type NewReceiptVersion = Omit<ReceiptVersion, 'seenAt'> & { seenAt?: Date };

export interface ReceiptHistoryRepo {
  /**
   * Records versions; seeing one again (same update_time and removed flag) keeps the first sighting.
   * Keeps the newest HISTORY_LIMIT versions per receipt.
   */
  record(versions: readonly NewReceiptVersion[]): Promise<void>;
  /** Every version kept for the receipt, newest first. */
  list(receiptId: string): Promise<ReceiptVersion[]>;
}

export const HISTORY_LIMIT = 50;

export const newVersionSchema = z.object({
  receiptId: idSchema,
  updateTime: chinaTimeSchema,
  removed: z.boolean(),
  source: z.enum(RECEIPT_SOURCES),
  seenAt: z.date().optional(),
  windowId: z.string().max(300).optional(),
});

export const storedVersionSchema = z.object({
  receiptId: z.string(),
  updateTime: z.string(),
  removed: z.boolean(),
  source: z.enum(RECEIPT_SOURCES),
  seenAt: z.coerce.date(),
  windowId: z.string().optional(),
});

/** Sorts like time: `YYYY-MM-DD HH:mm:ss|active` < `…|removed` of the same instant. */
export function versionField(v: { updateTime: string; removed: boolean }): string {
  return `${v.updateTime}|${v.removed ? 'removed' : 'active'}`;
}

export function newestFirst(versions: ReceiptVersion[]): ReceiptVersion[] {
  return versions.sort((a, b) => (versionField(a) < versionField(b) ? 1 : -1));
}
