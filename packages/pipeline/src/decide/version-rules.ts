import { EarlierVersionInFlightError } from '@receipt-sync/core';
import { isStaleVersion, type LedgerEntry } from '@receipt-sync/store';
import type { MappedRow } from '@receipt-sync/mapping';
import type { RawReceiptJob } from '../queues';
import { ledgerSettles } from './row-rules';

/**
 * The transformer's rules for one listed receipt version, from the ledger alone (no OKKI or
 * K3Cloud call). The transformer and the rehearsal both decide with these.
 */

export const TOMBSTONE = Symbol('tombstone');

export type SkipVerdict = string | typeof TOMBSTONE | undefined;

export const hasOrder = (orderId: unknown): boolean =>
  orderId !== undefined && orderId !== null && Number(orderId) !== 0;

/**
 * Why this version needs no work, TOMBSTONE for a removal to remember, or undefined when it needs
 * work. A version is its `update_time` and its content: the same second with other content is a
 * newer version; a removal wins a tie. Throws EarlierVersionInFlightError for a removal whose active
 * version is on its way to K3Cloud now (its row must be flagged once it exists).
 */
export function skipReason(
  ledger: LedgerEntry | undefined,
  v: { version: string; removed: boolean; digest: string },
  receiptNo: string,
): SkipVerdict {
  if (isStaleVersion(ledger, { sourceVersion: v.version, removed: v.removed })) {
    return `superseded by version ${ledger!.sourceVersion}${ledger!.removed ? ' (removed)' : ''}`;
  }
  const sameVersion = ledger?.sourceVersion === v.version && ledger.removed === v.removed;
  const sameContent = ledger?.sourceDigest === undefined || ledger.sourceDigest === v.digest;
  if (sameVersion && sameContent && (ledger.status === 'written' || ledger.status === 'unchanged')) {
    return 'this version was already settled';
  }
  if (v.removed && !ledger?.k3Fid) {
    // Its active version is still on the way: flag the row once it exists, never skip the flag.
    if (ledger?.status === 'pending' && !ledger.removed) throw new EarlierVersionInFlightError(receiptNo);
    return TOMBSTONE;
  }
  return undefined;
}

/** What a version becomes before it is mapped: which listing to map, and whether it flags a removal. */
export interface RowPlan {
  /** The listing to map: a removal (or an unlink) names the order the ledger says holds its row. */
  source: Pick<RawReceiptJob, 'receipt' | 'removed'>;
  /** Unlinked while the ledger knows nothing of it: the writer flags its rows wherever K3Cloud holds them. */
  anywhere: boolean;
  /** The row flags the receipt removed. */
  removes: boolean;
}

/**
 * A removal (deleted, or unlinked to order_id 0) flags the receipt's row where the ledger says it
 * is, whichever order OKKI names now: a receipt re-linked and then deleted before a sync is on its
 * old order. Unlinked while the ledger knows nothing of it (a new receipt, or a ledger Redis lost):
 * the writer flags its rows on whichever orders K3Cloud holds them, and quarantines it when there are none.
 */
export function planRow(ledger: LedgerEntry | undefined, listed: Pick<RawReceiptJob, 'receipt' | 'removed'>): RowPlan {
  const { receipt, removed } = listed;
  const writtenOn = ledger?.k3Fid !== undefined && ledger.orderId ? ledger.orderId : undefined;
  const unlinked = !removed && !hasOrder(receipt.order_id) && writtenOn !== undefined && !ledger?.removed;
  const flagOn = removed || unlinked ? writtenOn : undefined;
  const source = flagOn ? { receipt: { ...receipt, order_id: Number(flagOn) }, removed: true } : listed;
  const anywhere = !removed && !hasOrder(receipt.order_id) && ledger === undefined;
  return { source, anywhere, removes: source.removed || anywhere };
}

/** A receipt already written to this order keeps its FID (the writer checks it still carries the order). */
export function ledgerFid(ledger: LedgerEntry | undefined, orderKey: string): number | undefined {
  return ledger?.k3Fid && ledger.orderId === orderKey ? ledger.k3Fid : undefined;
}

/**
 * A new version (a touch: new `update_time`) whose mapped row is the content the ledger last wrote
 * on the same order: settled without a K3Cloud call. The writer's rule (ledgerSettles), asked before
 * the version is recorded pending. Returns the reason, or undefined when the row goes to the writer.
 */
export function alreadyWritten(
  ledger: LedgerEntry | undefined,
  row: Pick<MappedRow, 'orderKey' | 'rowKey' | 'contentHash'>,
  v: { version: string; removed: boolean; skip: SkipVerdict },
): string | undefined {
  if (v.skip === TOMBSTONE || !ledger) return undefined;
  const settled = ledgerSettles(ledger, {
    receiptId: ledger.receiptId,
    orderId: row.orderKey,
    rowKey: row.rowKey,
    removed: v.removed,
    contentHash: row.contentHash,
    sourceVersion: v.version,
  });
  return settled?.confirm ? settled.reason : undefined;
}
