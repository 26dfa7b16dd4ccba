import { isStaleVersion, type LedgerEntry } from '@receipt-sync/store';
import { ANY_ORDER, type ReadyRow } from '../queues';
import { fidFor, rowSlot, type OrdersBefore } from '../writer/existing-rows';

/**
 * The writer's rules for one row, from the ledger and THE read before the save. The writer and the
 * rehearsal both decide with these; the writer adds the side effects (ledger, order index, saves).
 */

type RowVersion = Pick<ReadyRow, 'sourceVersion' | 'removed'>;
type RowRef = Pick<ReadyRow, 'receiptId' | 'orderId' | 'rowKey' | 'removed' | 'contentHash' | 'sourceVersion'>;

/**
 * Why the ledger settles a row without a K3Cloud call: a newer version overtook it (a removal of the
 * same second included: removal wins a tie, and a removal is remembered even when nothing was
 * written), or its exact content is already written on that order (`confirm`: the ledger records
 * the version as written). Undefined when the row must go to K3Cloud.
 */
export function ledgerSettles(
  entry: LedgerEntry | undefined,
  row: RowRef,
): { reason: string; confirm: boolean } | undefined {
  if (entry && isStaleVersion(entry, versionOf(row)) && (entry.k3Fid || entry.removed)) {
    return {
      reason: `superseded by version ${entry.sourceVersion}${entry.removed ? ' (removed)' : ''}`,
      confirm: false,
    };
  }
  if (entry?.status === 'written' && entry.contentHash === row.contentHash && entry.orderId === row.orderId) {
    return { reason: 'content already written', confirm: true };
  }
  return undefined;
}

const versionOf = (row: RowVersion) => ({ sourceVersion: row.sourceVersion, removed: row.removed });

/** The order the ledger says holds a receipt's active row, when it is not the row's order now. */
export function ledgerPrevious(row: Pick<ReadyRow, 'orderId'>, entry: LedgerEntry | undefined): string[] {
  return entry?.k3Fid && !entry.removed && entry.orderId && entry.orderId !== row.orderId ? [entry.orderId] : [];
}

/**
 * Where a receipt moving to `row`'s order still counts: its rows not flagged removed on other orders,
 * as the read before the save found them by receipt number (true even when the ledger was lost);
 * for a receipt number the read could not ask for, where the ledger last wrote it.
 */
export function previousRows(
  row: Pick<ReadyRow, 'orderId' | 'rowKey'>,
  entry: LedgerEntry | undefined,
  before: OrdersBefore,
): Array<{ orderId: string; fid: number }> {
  if (before.searched.has(row.rowKey)) {
    const rows = (before.activeRows.get(row.rowKey) ?? []).filter((r) => r.orderId !== row.orderId);
    return rows.filter((r, i) => rows.findIndex((o) => o.fid === r.fid) === i); // one flag per order
  }
  return ledgerPrevious(row, entry).map((orderId) => ({ orderId, fid: entry!.k3Fid! }));
}

/**
 * The rows a receipt's row moves from (flagged removed in the same save), or `no-order` for a
 * removal that named no order when no order holds an active row of it (the receipt has no sales
 * order). A removal that named no order is written on the first row found and flags the others.
 */
export function moveOf(
  row: Pick<ReadyRow, 'orderId' | 'rowKey' | 'removed'>,
  entry: LedgerEntry | undefined,
  before: OrdersBefore,
  removedField: string | undefined,
): 'no-order' | { found: Array<{ orderId: string; fid: number }>; target?: { orderId: string; fid: number } } {
  const anywhere = row.orderId === ANY_ORDER;
  const found = removedField && (!row.removed || anywhere) ? previousRows(row, entry, before) : [];
  if (anywhere && found.length === 0) return 'no-order';
  return anywhere ? { found, target: found[0] } : { found };
}

/** The flags of a move: every row found but the one a removal that named no order is written on. */
export const moveFlagsOf = (move: { found: Array<{ orderId: string; fid: number }>; target?: unknown }) =>
  move.target ? move.found.slice(1) : move.found;

/**
 * Where a row goes: the FID the read before the save found for its order (`order-missing`: K3Cloud
 * has no such order yet), or `no-flag-target` for a move's flag whose previous order, or row on
 * it, is gone (nothing there counts the payment).
 */
export function placeRow(
  before: OrdersBefore,
  row: Pick<ReadyRow, 'orderId' | 'rowKey' | 'fid'>,
  isFlag: boolean,
): { fid: number } | 'order-missing' | 'no-flag-target' {
  const fid = fidFor(before, row.orderId, row.fid);
  if (isFlag && (fid === undefined || !before.existing.has(rowSlot(fid, row.rowKey)))) return 'no-flag-target';
  return fid === undefined ? 'order-missing' : { fid };
}

/** A removal whose receipt has no row on its order: settled without a save (a removed-flagged row is never created). */
export function flagsNothing(before: OrdersBefore, row: Pick<ReadyRow, 'removed' | 'fid' | 'rowKey'>, isFlag: boolean) {
  return row.removed && !isFlag && !before.existing.has(rowSlot(row.fid!, row.rowKey));
}
