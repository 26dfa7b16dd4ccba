import {
  K3CloudValidationError,
  K3CloudWriteNotAppliedError,
  DuplicateRowsError,
  MovedReceiptNotFlaggedError,
  type Logger,
  type SyncError,
} from '@receipt-sync/core';
import type { ModelSaveResult } from '@receipt-sync/k3cloud';
import { isTrue, type FieldDifference } from '@receipt-sync/mapping';
import { rowSlot, type ExistingRows, type RowLocator } from './existing-rows';
import { isLockedStatus, rejectLocked, saveThroughUnaudit, shouldUnaudit, type LockedOrder } from './locked-orders';
import type { WriterLedger } from './ports';
import type { PendingRow } from './row-batcher';
import { checkSavedRow, describeDifferences, type SavedState } from './saved-rows';
import type { BatchWriterDeps } from './write-batch';

/** One BatchSave's rows, grouped per sales order, with what the read-before-write found. */
export interface Batch {
  locator: RowLocator;
  byFid: Map<number, PendingRow[]>;
  /** A moved receipt's row → the flags of its previous rows, in this batch too. */
  flags: Map<PendingRow, PendingRow[]>;
  existing: ExistingRows;
  /** Every field key the batch writes (the read-back compares them all). */
  fields: string[];
}

/**
 * Network control, a rate limit, a key the tenant lacks: rows wait as they are, whatever the
 * order's status.
 */
export function waitsAsIs(error: SyncError): boolean {
  return (
    error.code !== 'k3cloud.order-locked' &&
    (error.code === 'k3cloud.field-unknown' || error.disposition !== 'permanent')
  );
}

/** The Model of one order: its rows with the FEntryID the read-before-write found, 0 for a new row. */
export function modelFor(batch: Batch, fid: number, logger?: Logger): Record<string, unknown> {
  const rows = batch.byFid.get(fid)!;
  return {
    FID: fid,
    [batch.locator.entity]: [
      ...rows.map((p) => ({ FEntryID: entryIdOf(batch.existing, fid, p.row.rowKey, logger) ?? 0, ...p.row.fields })),
      ...rows.flatMap((p) => duplicateFlags(batch, fid, p)),
    ],
  };
}

/**
 * A receipt carried by more than one row of this order (a save that landed after it was sent
 * again): every row but the lowest FEntryID is flagged removed in the same save, so the payment
 * counts once. Nothing is deleted (IsDeleteEntry false).
 */
function duplicateFlags(batch: Batch, fid: number, p: PendingRow): Array<Record<string, unknown>> {
  const { removedField, rowKeyField } = batch.locator;
  const ids = batch.existing.get(rowSlot(fid, p.row.rowKey)) ?? [];
  if (!removedField || p.flagOf || ids.length < 2) return [];
  return ids.slice(1).map((id) => ({ FEntryID: id, [rowKeyField]: p.row.rowKey, [removedField]: true }));
}

/** Settles every row of one order from its BatchSave result and THE read-back. */
export async function settleOrder(
  batch: Batch,
  fid: number,
  result: ModelSaveResult | undefined,
  state: SavedState,
  deps: BatchWriterDeps,
): Promise<void> {
  // A moved receipt's flag settles with its row (settleVerified), never on its own.
  const group = batch.byFid.get(fid)!.filter((p) => !p.flagOf);
  if (group.length === 0) return;
  const header = state.orders.get(fid);
  if (header?.status === 'C') await deps.onOrderAudited?.(fid);
  if (result?.ok) {
    const missed = await settleVerified(group, fid, state, deps, batch.flags);
    if (missed.length === 0) return;
    if (header && isLockedStatus(header.status)) {
      deps.onNotApplied?.('order-locked', missed.length);
      const reason = `K3Cloud reported the save as successful but kept the locked values (${missed.map((m) => describeDifferences(m.differences)).join(' | ')})`;
      await handleLocked(
        batch,
        { fid, ...header, reason },
        missed.map((m) => m.p),
        deps,
      );
      return;
    }
    deps.onNotApplied?.('not-applied', missed.length);
    for (const { p, differences } of missed) {
      const names = differences.map((d) => d.field);
      p.reject(
        new K3CloudWriteNotAppliedError(
          names,
          `sales order ${header?.billNo ?? fid}: BatchSave reported success, but K3Cloud does not hold ${names.join(', ')} (${describeDifferences(differences)})`,
          { details: { fid, differences } },
        ),
      );
    }
    return;
  }
  const error = result?.error;
  const errors = result?.errors ?? [
    { fieldName: null, message: 'no result for this model in the BatchSave answer', dIndex: 0 },
  ];
  const lockError = error?.code === 'k3cloud.order-locked';
  const waits = error !== undefined && waitsAsIs(error);
  // A refusal on an order that reads back B/C is a lock, whatever K3Cloud's words (texts UNVERIFIED, docs/apis/k3cloud.md §7).
  const locked =
    error !== undefined && !waits && (lockError || (header !== undefined && isLockedStatus(header.status)));
  if (locked) {
    const billNo = header?.billNo ?? (error as { billNo?: string }).billNo ?? String(fid);
    const status = header?.status ?? (error as { status?: string }).status ?? '?';
    await handleLocked(
      batch,
      { fid, billNo, status, reason: `K3Cloud refused the save: ${error.message}` },
      group,
      deps,
    );
  } else if (error && waits) {
    for (const p of group) p.reject(error);
  } else if (group.length > 1) {
    // K3Cloud names no row when it rejects a model: save each row alone so only the bad one fails.
    deps.logger.warn({ fid, rows: group.length, errors }, 'sales order model rejected; isolating its rows');
    for (const p of group) deps.requeue({ ...p, solo: true });
  } else {
    group[0]!.reject(error ?? new K3CloudValidationError(11, errors, { details: { fid } }));
  }
}

/** A save whose answer was lost: rows K3Cloud holds as sent are written, the others fail with `errorFor` (they may still land). */
export async function settleUnanswered(
  batch: Batch,
  fid: number,
  state: SavedState,
  errorFor: (p: PendingRow) => SyncError,
  deps: BatchWriterDeps,
): Promise<void> {
  const missed = await settleVerified(batch.byFid.get(fid)!, fid, state, deps, batch.flags);
  for (const { p } of missed) p.reject(errorFor(p));
}

/**
 * Settles the rows K3Cloud holds as sent; returns the others with what differs. A moved receipt's
 * row counts as written only once its previous row is flagged too (`flags`); the flag itself is no
 * ledger write (it settles with its row).
 */
async function settleVerified(
  group: PendingRow[],
  fid: number,
  state: SavedState,
  deps: BatchWriterDeps,
  flags: ReadonlyMap<PendingRow, PendingRow[]> = new Map(),
) {
  const missed: Array<{ p: PendingRow; differences: FieldDifference[] }> = [];
  const written: Array<Promise<void>> = [];
  const duplicates: Array<{ p: PendingRow; entryIds: number[] }> = [];
  for (const p of group) {
    if (p.flagOf) continue;
    const check = checkSavedRow(state, deps.fieldKinds, fid, p.row.rowKey, p.row.fields);
    const flag = flags.get(p)?.find((f) => !flagHeld(f, state, deps));
    const extra = check.applied ? activeDuplicates(state, fid, p.row.rowKey, deps.locator.removedField) : [];
    if (check.applied && flag) p.reject(new MovedReceiptNotFlaggedError(p.row.receiptNo, flag.row.orderId));
    else if (check.applied && extra.length > 0) duplicates.push({ p, entryIds: [check.entryId, ...extra] });
    else if (check.applied) written.push(settleWritten(p, fid, check.entryId, deps.ledger));
    else missed.push({ p, differences: check.differences });
  }
  if (duplicates.length > 0) {
    await deps.onDuplicateRows?.(duplicates.map((d) => ({ fid, receiptNo: d.p.row.receiptNo, entryIds: d.entryIds })));
    // Not counted written yet: the next save of the receipt updates the first row and flags the others.
    for (const d of duplicates) d.p.reject(new DuplicateRowsError(d.p.row.receiptNo, fid, d.entryIds));
  }
  // One receipt per row (the batch keeps only its newest version): the ledger writes are independent.
  await allSettled(written);
  return missed;
}

/** A sales order K3Cloud will not let us change: wait (policy wait, or B), or go through UnAudit (policy unaudit, C). */
async function handleLocked(
  batch: Batch,
  order: LockedOrder,
  rows: PendingRow[],
  deps: BatchWriterDeps,
): Promise<void> {
  deps.logger.warn(
    { fid: order.fid, billNo: order.billNo, status: order.status, rows: rows.length, policy: deps.lockedOrderPolicy },
    'sales order locked by K3Cloud',
  );
  if (!shouldUnaudit(deps.lockedOrderPolicy, order)) {
    rejectLocked(order, rows);
    return;
  }
  const only = { ...batch, byFid: new Map([[order.fid, rows]]) };
  const state = await saveThroughUnaudit(deps, batch.locator, order, modelFor(only, order.fid), rows, batch.fields);
  if (!state) return;
  const missed = await settleVerified(rows, order.fid, state, deps, batch.flags);
  if (missed.length === 0) return;
  deps.onNotApplied?.('not-applied', missed.length);
  for (const { p, differences } of missed) {
    p.reject(
      new K3CloudWriteNotAppliedError(
        differences.map((d) => d.field),
        `sales order ${order.billNo}: saved after UnAudit, yet K3Cloud does not hold ${describeDifferences(differences)}`,
      ),
    );
  }
}

function entryIdOf(existing: ExistingRows, fid: number, rowKey: string, logger?: Logger): number | undefined {
  const ids = existing.get(rowSlot(fid, rowKey));
  if (ids && ids.length > 1 && logger) {
    logger.warn(
      { fid, rowKey, entryIds: ids },
      'several K3Cloud rows carry one receipt number; updating the first (see reconcile)',
    );
  }
  return ids?.[0];
}

/** FEntryIDs beyond the first carrying the receipt on this order and not flagged removed. */
function activeDuplicates(state: SavedState, fid: number, rowKey: string, removedField?: string): number[] {
  const rows = state.rows.get(rowSlot(fid, rowKey)) ?? [];
  return rows
    .slice(1)
    .filter((r) => !removedField || !isTrue(r.values[removedField]))
    .map((r) => r.entryId);
}

function flagHeld(flag: PendingRow, state: SavedState, deps: BatchWriterDeps): boolean {
  return checkSavedRow(state, deps.fieldKinds, flag.row.fid!, flag.row.rowKey, flag.row.fields).applied;
}

async function settleWritten(p: PendingRow, fid: number, entryId: number, ledger: WriterLedger): Promise<void> {
  const r = p.row;
  await ledger.recordWritten({
    receiptId: r.receiptId,
    receiptNo: r.receiptNo,
    orderId: r.orderId,
    sourceVersion: r.sourceVersion,
    removed: r.removed,
    contentHash: r.contentHash,
    ...(r.sourceDigest === undefined ? {} : { sourceDigest: r.sourceDigest }),
    k3Fid: fid,
    k3EntryId: entryId,
    fields: r.fields,
  });
  p.resolve({ outcome: 'written', fid, entryId });
}

/** Waits for every one of `work`, then throws the first failure (none is left running). */
export async function allSettled(work: Array<Promise<unknown>>): Promise<void> {
  const failed = (await Promise.allSettled(work)).find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}
