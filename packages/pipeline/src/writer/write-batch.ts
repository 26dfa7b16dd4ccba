import {
  K3CloudValidationError,
  K3CloudWriteNotAppliedError,
  type LockedOrderPolicy,
  type Logger,
} from '@receipt-sync/core';
import type { FieldDifference, ValueKind } from '@receipt-sync/mapping';
import { readExistingRows, rowSlot, type ExistingRows, type RowLocator } from './existing-rows';
import {
  isLockedStatus,
  rejectLocked,
  saveThroughUnaudit,
  shouldUnaudit,
  type LockedOrder,
  type UnauditDeps,
} from './locked-orders';
import type { OrderLocks } from '../locks';
import type { ModelSaveResult } from '@receipt-sync/k3cloud';
import type { K3CloudWriter, WriterLedger, WriterSaveOptions } from './ports';
import type { PendingRow } from './row-batcher';
import { checkSavedRow, describeDifferences, readSavedState, type SavedState } from './saved-rows';

export interface BatchWriterDeps extends UnauditDeps {
  k3: K3CloudWriter;
  ledger: WriterLedger;
  locks: OrderLocks;
  logger: Logger;
  /** Where receipt rows go (form, entity, row-key field): the writer's mapping, for every row alike. */
  locator: RowLocator;
  /** BatchSave options from the mapping: isDeleteEntry false etc. (docs/apis/k3cloud.md §4.1). */
  saveOptions: WriterSaveOptions;
  /** How each mapped field is compared when the saved rows are read back (mapping `fieldKinds`). */
  fieldKinds: ReadonlyMap<string, ValueKind>;
  /** KINGDEE_LOCKED_ORDER_POLICY. */
  lockedOrderPolicy: LockedOrderPolicy;
  requeue(row: PendingRow): void;
  /** Rows K3Cloud reported saved but did not hold when read back (metrics). */
  onNotApplied?: (cause: 'order-locked' | 'not-applied', rows: number) => void;
  /** Delay before retrying rows whose order is locked by another replica. @defaultValue 250 */
  lockRetryMs?: number;
}

/** Builds the BatchSave writer handed to RowBatcher. */
export function createBatchWriter(deps: BatchWriterDeps): (rows: PendingRow[]) => Promise<void> {
  return async (rows) => {
    const fids = [...new Set(rows.map((p) => p.row.fid))];
    const held = new Set(await deps.locks.acquire(fids));
    const mine = rows.filter((p) => held.has(p.row.fid));
    for (const p of rows) {
      if (!held.has(p.row.fid)) setTimeout(() => deps.requeue(p), deps.lockRetryMs ?? 250).unref();
    }
    if (mine.length === 0) return;
    await deps.locks.hold([...held], () => saveRows(mine, deps));
  };
}

interface Batch {
  locator: RowLocator;
  byFid: Map<number, PendingRow[]>;
  existing: ExistingRows;
  /** Every field key the batch writes (the read-back compares them all). */
  fields: string[];
}

/**
 * Read-before-write (entry ids), one BatchSave (one model per order), then THE read-back: every
 * row is counted written only when K3Cloud holds every mapped field as sent (verified writes).
 */
async function saveRows(rows: PendingRow[], deps: BatchWriterDeps): Promise<void> {
  const live = await dropSettledVersions(rows, deps.ledger);
  if (live.length === 0) return;
  const { locator } = deps;
  const byFid = new Map<number, PendingRow[]>();
  for (const p of live) byFid.set(p.row.fid, [...(byFid.get(p.row.fid) ?? []), p]);
  const fids = [...byFid.keys()];
  const fields = [...new Set(live.flatMap((p) => Object.keys(p.row.fields)))];
  const batch: Batch = { locator, byFid, existing: await readExistingRows(deps.k3, locator, fids), fields };

  const { results } = await deps.k3.batchSave(
    locator.formId,
    fids.map((fid) => modelFor(batch, fid, deps.logger)),
    deps.saveOptions,
  );
  // Orders whose save failed are read too (same query): their status tells a locked order apart.
  const state = await readSavedState(deps.k3, locator, fids, fields);
  for (const [i, fid] of fids.entries()) {
    await settleOrder(
      batch,
      fid,
      results.find((r) => r.dIndex === i),
      state,
      deps,
    );
  }
}

function modelFor(batch: Batch, fid: number, logger?: Logger): Record<string, unknown> {
  return {
    FID: fid,
    [batch.locator.entity]: batch.byFid
      .get(fid)!
      .map((p) => ({ FEntryID: entryIdOf(batch.existing, fid, p.row.rowKey, logger) ?? 0, ...p.row.fields })),
  };
}

async function settleOrder(
  batch: Batch,
  fid: number,
  result: ModelSaveResult | undefined,
  state: SavedState,
  deps: BatchWriterDeps,
): Promise<void> {
  const group = batch.byFid.get(fid)!;
  const header = state.orders.get(fid);
  if (header?.status === 'C') await deps.onOrderAudited?.(fid);
  if (result?.ok) {
    const missed = await settleVerified(group, fid, state, deps);
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
  // Network control, a rate limit, a key the tenant lacks: the rows wait as they are, whatever the order's status.
  const waitsAsIs =
    error !== undefined && !lockError && (error.code === 'k3cloud.field-unknown' || error.disposition !== 'permanent');
  // A refusal on an order that reads back B/C is a lock, whatever K3Cloud's words (texts UNVERIFIED, docs/apis/k3cloud.md §7).
  const locked =
    error !== undefined && !waitsAsIs && (lockError || (header !== undefined && isLockedStatus(header.status)));
  if (locked) {
    const billNo = header?.billNo ?? (error as { billNo?: string }).billNo ?? String(fid);
    const status = header?.status ?? (error as { status?: string }).status ?? '?';
    await handleLocked(
      batch,
      { fid, billNo, status, reason: `K3Cloud refused the save: ${error.message}` },
      group,
      deps,
    );
  } else if (error && waitsAsIs) {
    for (const p of group) p.reject(error);
  } else if (group.length > 1) {
    // K3Cloud names no row when it rejects a model: save each row alone so only the bad one fails.
    deps.logger.warn({ fid, rows: group.length, errors }, 'sales order model rejected; isolating its rows');
    for (const p of group) deps.requeue({ ...p, solo: true });
  } else {
    group[0]!.reject(error ?? new K3CloudValidationError(11, errors, { details: { fid } }));
  }
}

/** Settles the rows K3Cloud holds as sent; returns the others with what differs. */
async function settleVerified(group: PendingRow[], fid: number, state: SavedState, deps: BatchWriterDeps) {
  const missed: Array<{ p: PendingRow; differences: FieldDifference[] }> = [];
  for (const p of group) {
    const check = checkSavedRow(state, deps.fieldKinds, fid, p.row.rowKey, p.row.fields);
    if (check.applied) await settleWritten(p, fid, check.entryId, deps.ledger);
    else missed.push({ p, differences: check.differences });
  }
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
  const missed = await settleVerified(rows, order.fid, state, deps);
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

/**
 * Drops rows a newer version has overtaken or whose exact content is already written, and keeps
 * only the newest version when one batch holds two versions of a receipt.
 */
async function dropSettledVersions(rows: PendingRow[], ledger: WriterLedger): Promise<PendingRow[]> {
  const newest = new Map<string, PendingRow>();
  for (const p of rows) {
    const other = newest.get(p.row.receiptId);
    if (!other || other.row.sourceVersion < p.row.sourceVersion) {
      if (other) other.resolve({ outcome: 'unchanged', reason: `superseded by version ${p.row.sourceVersion}` });
      newest.set(p.row.receiptId, p);
    } else {
      p.resolve({ outcome: 'unchanged', reason: `superseded by version ${other.row.sourceVersion}` });
    }
  }
  const entries = await ledger.getMany([...newest.keys()]);
  const live: PendingRow[] = [];
  for (const p of newest.values()) {
    const e = entries.get(p.row.receiptId);
    if (e && e.sourceVersion > p.row.sourceVersion && e.k3Fid) {
      p.resolve({ outcome: 'unchanged', reason: `superseded by version ${e.sourceVersion}` });
    } else if (e?.status === 'written' && e.contentHash === p.row.contentHash && e.k3Fid === p.row.fid) {
      p.resolve({ outcome: 'unchanged', reason: 'content already written' });
    } else {
      live.push(p);
    }
  }
  return live;
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
    k3Fid: fid,
    k3EntryId: entryId,
  });
  p.resolve({ outcome: 'written', fid, entryId });
}
