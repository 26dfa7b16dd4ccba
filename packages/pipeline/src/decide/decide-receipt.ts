import { EarlierVersionInFlightError, QuarantineError, SalesOrderNotFoundError } from '@receipt-sync/core';
import { diffFields, NO_ORDER_MESSAGE, versionDigest, type FieldValue, type ValueKind } from '@receipt-sync/mapping';
import type { LedgerEntry } from '@receipt-sync/store';
import type { RawReceiptJob } from '../queues';
import { rowSlot, type OrdersBefore, type RowLocator } from '../writer/existing-rows';
import type { SavedState } from '../writer/saved-rows';
import { mapPlannedRow, type MapRowDeps } from './map-row';
import { flagsNothing, moveFlagsOf, moveOf, placeRow } from './row-rules';
import { alreadyWritten, hasOrder, ledgerFid, planRow, skipReason, TOMBSTONE } from './version-rules';

/**
 * What a sync would do to one receipt, decided with the transformer's and the writer's own rules
 * (version-rules, map-row, row-rules) in the order the pipeline applies them, without any side
 * effect: the go-live rehearsal's verdicts.
 */

export const REHEARSAL_ACTIONS = [
  'insert',
  'update',
  'unchanged',
  'flag-removed',
  'move',
  'wait',
  'quarantine',
] as const;
export type RehearsalAction = (typeof REHEARSAL_ACTIONS)[number];

/** One field a save would change: K3Cloud's value now → the value the sync sends. */
export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

export interface Verdict {
  action: RehearsalAction;
  reason?: string;
  /** The OKKI order id whose sales order the row goes to (or is on). */
  orderId?: string;
  fid?: number;
  changes?: FieldChange[];
  /** A move: the orders whose row of the receipt is flagged removed. */
  movedFrom?: Array<{ orderId: string; fid: number }>;
}

/** A row the pipeline would hand to the writer: checked against K3Cloud next. */
export interface RowToCheck {
  receiptId: string;
  receiptNo: string;
  orderId: string;
  /** The FID the ledger says the receipt is written to on this order (a hint). */
  fid?: number;
  rowKey: string;
  fields: Record<string, FieldValue>;
  removed: boolean;
  sourceVersion: string;
}

/** The receipt number as the pipeline names a receipt (its id when OKKI gives none). */
export function listedReceiptNo(receipt: RawReceiptJob['receipt']): string {
  const no = receipt.cash_collection_no;
  return typeof no === 'string' && no ? no : `#${receipt.cash_collection_id}`;
}

/**
 * The transformer's half, from the ledger, the quality rules and the mapping (bank details from
 * OKKI when the mapping reads them): a verdict, or the row the writer would get. The ledger the
 * writer then reads holds this version pending, so its ledger rule has nothing more to settle.
 */
export async function decideListed(
  ledger: LedgerEntry | undefined,
  listed: Pick<RawReceiptJob, 'receipt' | 'removed'>,
  deps: MapRowDeps,
): Promise<Verdict | RowToCheck> {
  const { receipt, removed } = listed;
  const receiptNo = listedReceiptNo(receipt);
  const version = receipt.update_time;
  const digest = versionDigest(receipt as Record<string, unknown>);
  try {
    const skip = skipReason(ledger, { version, removed, digest }, receiptNo);
    if (typeof skip === 'string') return { action: 'unchanged', reason: skip };
    if (skip === TOMBSTONE && !hasOrder(receipt.order_id))
      return { action: 'unchanged', reason: 'removed in OKKI before it was written to K3Cloud' };
    const plan = planRow(ledger, listed);
    const row = await mapPlannedRow(plan, skip, { receiptNo, digest }, deps);
    if (!row) return { action: 'unchanged', reason: 'removed in OKKI before it was written to K3Cloud' };
    const done = alreadyWritten(ledger, row, { version, removed: plan.removes, skip });
    if (done) return { action: 'unchanged', reason: done, orderId: row.orderKey, fid: ledger?.k3Fid };
    if (!/^\d+$/.test(row.orderKey)) throw new SalesOrderNotFoundError(row.orderKey);
    const fid = ledgerFid(ledger, row.orderKey);
    return {
      receiptId: String(receipt.cash_collection_id),
      receiptNo,
      orderId: row.orderKey,
      ...(fid === undefined ? {} : { fid }),
      rowKey: row.rowKey,
      fields: row.fields,
      removed: plan.removes,
      sourceVersion: version,
    };
  } catch (error) {
    if (error instanceof QuarantineError) return { action: 'quarantine', reason: error.message };
    if (error instanceof SalesOrderNotFoundError || error instanceof EarlierVersionInFlightError)
      return { action: 'wait', reason: error.message };
    throw error;
  }
}

export const isVerdict = (v: Verdict | RowToCheck): v is Verdict => 'action' in v;

/** What the reads before and after a save show of a row's orders. */
export interface K3View {
  before: OrdersBefore;
  /** The values of the rows already there (the read-back query), for the fields that would change. */
  saved: SavedState;
  /** Receipts whose earlier save may still land (KINGDEE_LATE_WRITE_SECONDS): they wait. */
  heldUntil?: ReadonlyMap<string, number>;
}

/** The writer's half: moves, the order's FID, a flag with nothing to flag, and insert vs update. */
export function decideRow(
  row: RowToCheck,
  ledger: LedgerEntry | undefined,
  view: K3View,
  locator: RowLocator,
  kinds: ReadonlyMap<string, ValueKind>,
): Verdict {
  const { before } = view;
  const move = moveOf(row, ledger, before, locator.removedField);
  if (move === 'no-order') return { action: 'quarantine', reason: NO_ORDER_MESSAGE };
  const target = move.target ?? row;
  const placed = placeRow(before, { orderId: target.orderId, rowKey: row.rowKey, fid: target.fid ?? row.fid }, false);
  if (typeof placed === 'string')
    return { action: 'wait', reason: new SalesOrderNotFoundError(target.orderId).message, orderId: target.orderId };
  const at = { orderId: target.orderId, fid: placed.fid };
  const flags = moveFlagsOf(move).filter(
    (f) => placeRow(before, { orderId: f.orderId, rowKey: row.rowKey, fid: f.fid }, true) !== 'no-flag-target',
  );
  const until = view.heldUntil?.get(row.receiptId);
  if (until !== undefined)
    return { action: 'wait', reason: `an earlier save may still land until ${new Date(until).toISOString()}`, ...at };
  if (flagsNothing(before, { ...row, fid: placed.fid }, false))
    return { action: 'unchanged', reason: 'removed in OKKI; K3Cloud holds no row of it to flag', ...at };
  const moved = flags.length > 0 ? { movedFrom: flags } : {};
  if (row.removed) return { action: 'flag-removed', ...at, ...moved };
  if (flags.length > 0) return { action: 'move', ...at, ...moved, changes: changesOf(row, placed.fid, view, kinds) };
  if (!before.existing.has(rowSlot(placed.fid, row.rowKey))) return { action: 'insert', ...at };
  return { action: 'update', ...at, changes: changesOf(row, placed.fid, view, kinds) };
}

/** The fields whose value K3Cloud holds now differs from what the save sends (the read-back's comparison). */
function changesOf(row: RowToCheck, fid: number, view: K3View, kinds: ReadonlyMap<string, ValueKind>): FieldChange[] {
  const held = view.saved.rows.get(rowSlot(fid, row.rowKey))?.[0];
  if (!held) return [];
  return diffFields(kinds, row.fields, held.values).map((d) => ({ field: d.field, from: d.actual, to: d.expected }));
}
