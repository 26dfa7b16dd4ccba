import {
  AmbiguousWriteError,
  isSyncError,
  K3CloudRequestFilterError,
  LateWriteWaitError,
  QuarantineError,
  SalesOrderNotFoundError,
  type LockedOrderPolicy,
  type Logger,
} from '@receipt-sync/core';
import { requestFilterSuspects, type ModelSaveResult } from '@receipt-sync/k3cloud';
import { isStaleVersion, type LedgerEntry } from '@receipt-sync/store';
import { NO_ORDER_MESSAGE, type ValueKind } from '@receipt-sync/mapping';
import { readOrdersBefore, type OrdersBefore, type RowLocator } from './existing-rows';
import type { UnauditDeps } from './locked-orders';
import type { Tracing } from '../tracing';
import type { K3CloudWriter, WriterLedger, WriterOrderIndex, WriterSaveOptions } from './ports';
import type { PendingRow, ReserveOrder } from './row-batcher';
import { flagsNothing, ledgerPrevious, ledgerSettles, moveFlagsOf, moveOf, placeRow } from '../decide/row-rules';
import { noLateWrites, type LateWrites } from './late-writes';
import { readSavedState } from './saved-rows';
import { allSettled, modelFor, settleOrder, settleUnanswered, waitsAsIs, type Batch } from './settle-order';

export interface BatchWriterDeps extends UnauditDeps {
  k3: K3CloudWriter;
  ledger: WriterLedger;
  /** Filled from the query before each save: found FIDs, and misses (briefly) for the transformer. */
  orderIndex?: WriterOrderIndex;
  /** How long a "no such order" answer is cached. @defaultValue 60000 */
  missTtlMs?: number;
  /** How long a found FID is cached. @defaultValue 24 h */
  hitTtlMs?: number;
  logger: Logger;
  /** Where receipt rows go (form, entity, row-key field): the writer's mapping, for every row alike. */
  locator: RowLocator;
  /** BatchSave options from the mapping: isDeleteEntry false etc. (docs/apis/k3cloud.md §4.1). */
  saveOptions: WriterSaveOptions;
  /** How each mapped field is compared when the saved rows are read back (mapping `fieldKinds`). */
  fieldKinds: ReadonlyMap<string, ValueKind>;
  /** KINGDEE_LOCKED_ORDER_POLICY. */
  lockedOrderPolicy: LockedOrderPolicy;
  /** Puts a row back in line (a rejected model's rows, each to be saved alone). */
  requeue(row: PendingRow): void;
  /** Rows K3Cloud reported saved but did not hold when read back (metrics). */
  onNotApplied?: (cause: 'order-locked' | 'not-applied', rows: number) => void;
  /** Receipts the read after a save found on more than one active row of one order (the next save flags the extra rows). */
  onDuplicateRows?: (found: Array<{ fid: number; receiptNo: string; entryIds: number[] }>) => void | Promise<void>;
  /** Saves without an answer that may still land, by receipt (none kept when absent). */
  lateWrites?: LateWrites;
  /** KINGDEE_LATE_WRITE_SECONDS × 1000. @defaultValue 0 */
  lateWriteMs?: number;
  /** Tracing on: each batch's K3Cloud calls run inside a span linked to its rows' traces. */
  tracing?: Pick<Tracing, 'inBatch'>;
}

const lateWrites = (deps: BatchWriterDeps): LateWrites => deps.lateWrites ?? noLateWrites;

/**
 * A removal whose receipt has no row on its order (it never reached K3Cloud, or the ledger that knew
 * it was lost) is settled without a save: a removed-flagged row is never created.
 */
async function nothingToFlag(rows: PendingRow[], before: OrdersBefore, deps: BatchWriterDeps): Promise<PendingRow[]> {
  const live: PendingRow[] = [];
  for (const p of rows) {
    if (!flagsNothing(before, p.row, p.flagOf !== undefined)) {
      live.push(p);
      continue;
    }
    const { sourceVersion, sourceDigest } = p.row;
    await deps.ledger.recordOutcome(p.row.receiptId, {
      status: 'unchanged',
      sourceVersion,
      sourceDigest,
      removed: true,
    });
    p.resolve({ outcome: 'unchanged', reason: 'removed in OKKI; K3Cloud holds no row of it to flag' });
  }
  return live;
}

/**
 * Rows of a save that went out without an answer less than KINGDEE_LATE_WRITE_SECONDS ago wait,
 * even when a read finds them in K3Cloud: sent again with FEntryID 0 they would become a second
 * row when the first save lands, and an update would be overwritten by it landing later still (the
 * read cannot tell the save in K3Cloud's queue apart from one already applied). Other rows go on.
 */
async function holdBackLateWrites(rows: PendingRow[], deps: BatchWriterDeps): Promise<PendingRow[]> {
  const held = await lateWrites(deps).heldUntil([...new Set(rows.map((p) => p.row.receiptId))]);
  if (held.size === 0) return rows;
  const waiting = new Set<PendingRow>();
  for (const p of rows) {
    const until = held.get(p.row.receiptId);
    if (until === undefined || p.flagOf) continue;
    waiting.add(p);
    p.reject(new LateWriteWaitError(p.row.receiptNo, until));
  }
  return rows.filter((p) => !waiting.has(p) && !(p.flagOf && waiting.has(p.flagOf)));
}

/**
 * Builds the BatchSave writer handed to RowBatcher. The batcher never has two batches of one sales
 * order in flight, and only the active writer runs one (its lease is checked before every save).
 */
export function createBatchWriter(
  deps: BatchWriterDeps,
): (rows: PendingRow[], reserve?: ReserveOrder) => Promise<void> {
  return (rows, reserve = () => true) => {
    const save = () => saveRows(rows, deps, reserve);
    return deps.tracing
      ? deps.tracing.inBatch(
          rows.map((p) => p.trace),
          rows.length,
          save,
        )
      : save();
  };
}

/**
 * Two K3Cloud queries per batch, never more: THE read before the save (order ids → FIDs and the
 * rows they carry), one BatchSave (one model per order), then THE read-back: every row is counted
 * written only when K3Cloud holds every mapped field as sent (verified writes).
 */
async function saveRows(rows: PendingRow[], deps: BatchWriterDeps, reserve: ReserveOrder): Promise<void> {
  const { live: current, entries } = await dropSettledVersions(rows, deps.ledger);
  if (current.length === 0) return;
  const { locator } = deps;
  // The receipts and orders of this batch, named in the audit record of every call made for it.
  const subjects = [...new Set(current.flatMap((p) => [p.row.receiptId, p.row.orderId]))];
  // The batch's orders, and where the ledger last wrote its receipts (a move the read may not see).
  const orderIds = [
    ...current.map((p) => p.row.orderId),
    ...current.flatMap((p) => ledgerPrevious(p.row, entries.get(p.row.receiptId))),
  ];
  const rowKeys = current.map((p) => p.row.rowKey);
  const before = await readOrdersBefore(deps.k3, locator, [...new Set(orderIds)], subjects, rowKeys);
  const moves = moveFlags(current, entries, before, deps, reserve);
  const settled = [...moves.rows, ...moves.flags];
  const live = await nothingToFlag(
    await holdBackLateWrites(await placeRows(settled, before, deps), deps),
    before,
    deps,
  );
  if (live.length === 0) return;
  const byFid = new Map<number, PendingRow[]>();
  for (const p of live) byFid.set(p.row.fid!, [...(byFid.get(p.row.fid!) ?? []), p]);
  const fids = [...byFid.keys()];
  const fields = [...new Set(live.flatMap((p) => Object.keys(p.row.fields)))];
  const flags = new Map<PendingRow, PendingRow[]>();
  for (const f of live) if (f.flagOf) flags.set(f.flagOf, [...(flags.get(f.flagOf) ?? []), f]);
  const batch: Batch = { locator, byFid, flags, existing: before.existing, fields };

  let results: ModelSaveResult[];
  const receipts = [...new Set(live.map((p) => p.row.receiptId))];
  try {
    await deps.fence();
    // Held before it goes out: should this process die with the save in flight, the next writer
    // still does not send these rows again while the save may land (KINGDEE_LATE_WRITE_SECONDS).
    await lateWrites(deps).hold(receipts, deps.lateWriteMs ?? 0);
    ({ results } = await deps.k3.batchSave(
      locator.formId,
      fids.map((fid) => modelFor(batch, fid, deps.logger)),
      deps.saveOptions,
      subjects,
    ));
  } catch (error) {
    if (error instanceof K3CloudRequestFilterError) {
      await lateWrites(deps).release(receipts);
      return isolateFiltered(live, error, deps, reserve);
    }
    if (!(error instanceof AmbiguousWriteError)) {
      await lateWrites(deps).release(receipts);
      throw error;
    }
    await settleLostAnswer(batch, error, deps, subjects);
    return;
  }
  // K3Cloud answered: nothing of this save is left to land later.
  await lateWrites(deps).release(receipts);
  // Orders whose save failed are read too (same query): their status tells a locked order apart.
  // A batch where every model failed for a reason that waits as it is needs no read at all.
  const state = results.every((r) => !r.ok && r.error !== undefined && waitsAsIs(r.error))
    ? { rows: new Map(), orders: new Map() }
    : await readBack(deps, locator, fids, fields, subjects);
  // Orders settle side by side: their rows, ledger entries and (policy unaudit) K3Cloud steps are disjoint.
  // All of them finish before the batch's orders are free for the next batch, even when one fails.
  await allSettled(
    fids.map((fid, i) =>
      settleOrder(
        batch,
        fid,
        results.find((r) => r.dIndex === i),
        state,
        deps,
      ),
    ),
  );
}

/**
 * Gives every row the FID the query before the save found for its order and caches it for the
 * transformer; rows whose order K3Cloud does not have wait for it (long back-off, then the dead
 * letter `sales order not found in K3Cloud`), the miss cached briefly so the transformer holds
 * that order's next receipts without asking.
 */
async function placeRows(rows: PendingRow[], before: OrdersBefore, deps: BatchWriterDeps): Promise<PendingRow[]> {
  const live: PendingRow[] = [];
  const found = new Set<string>();
  const missing = new Set<string>();
  for (const p of rows) {
    const placed = placeRow(before, p.row, p.flagOf !== undefined);
    if (placed === 'no-flag-target') {
      // The previous order, or the receipt's row on it, is gone: nothing there counts the payment.
      p.resolve({ outcome: 'unchanged', reason: 'no row on the previous sales order to flag' });
      continue;
    }
    if (placed === 'order-missing') {
      missing.add(p.row.orderId);
      p.reject(new SalesOrderNotFoundError(p.row.orderId));
      continue;
    }
    p.row = { ...p.row, fid: placed.fid };
    found.add(p.row.orderId);
    live.push(p);
  }
  const seenAt = new Date().toISOString();
  const cached: Array<[string, Parameters<WriterOrderIndex['put']>[1]]> = [];
  for (const orderId of found) {
    const fids = before.fids.get(orderId)!;
    if (fids.length > 1) {
      deps.logger.warn({ orderId, fids }, 'several sales orders share one F_Cash_Collection_Id; using the lowest FID');
    }
    const fid = fids[0]!;
    cached.push([orderId, { fid, billNo: before.billNos.get(fid), documentStatus: before.statuses.get(fid), seenAt }]);
  }
  const index = deps.orderIndex;
  if (index) {
    await Promise.all([
      ...cached.map(([orderId, ref]) => index.put(orderId, ref, deps.hitTtlMs ?? 24 * 3600_000)),
      ...[...missing].map((orderId) => index.putMiss(orderId, deps.missTtlMs ?? 60_000)),
    ]);
  }
  return live;
}

/**
 * BatchSave was sent and its answer lost: it may have been applied. THE read after the save tells
 * (no extra query): rows K3Cloud holds as sent are written; the others go back with the error and
 * their next attempt reads before it writes. Without it every lost answer cost each row an attempt.
 */
async function settleLostAnswer(
  batch: Batch,
  error: AmbiguousWriteError,
  deps: BatchWriterDeps,
  subjects: readonly string[],
): Promise<void> {
  const fids = [...batch.byFid.keys()];
  const state = await readBack(deps, batch.locator, fids, batch.fields, subjects).catch((readError: unknown) => {
    deps.logger.info({ err: readError }, 'read after a lost BatchSave answer failed; the rows retry');
    return undefined;
  });
  // Rows K3Cloud does not hold may still land: they wait out KINGDEE_LATE_WRITE_SECONDS (held in
  // Redis before the save went out) unless a later read finds them.
  const late = deps.lateWriteMs ?? 0;
  const errorFor = (p: PendingRow) => (late > 0 ? new LateWriteWaitError(p.row.receiptNo, Date.now() + late) : error);
  if (!state) {
    for (const group of batch.byFid.values()) for (const p of group) p.reject(errorFor(p));
    return;
  }
  deps.logger.info({ fids, err: error }, 'BatchSave answer lost; settling its rows from the read after it');
  await allSettled(fids.map((fid) => settleUnanswered(batch, fid, state, errorFor, deps)));
}

/**
 * THE read after the save, asked once more if it fails for a passing reason (a session lost twice,
 * a timeout): the save may have been applied, and a whole retry would cost the rows an attempt.
 */
async function readBack(
  deps: BatchWriterDeps,
  locator: RowLocator,
  fids: number[],
  fields: string[],
  subjects: readonly string[],
) {
  try {
    return await readSavedState(deps.k3, locator, fids, fields, subjects);
  } catch (error) {
    if (!isSyncError(error) || error.disposition !== 'transient') throw error;
    deps.logger.info({ err: error }, 'read after BatchSave failed; asking once more');
    return readSavedState(deps.k3, locator, fids, fields, subjects);
  }
}

/**
 * Drops rows a newer version has overtaken (a removal of the same second included: removal wins a
 * tie, and a removal is remembered even when nothing was written) or whose exact content is already
 * written, and keeps only the newest version when one batch holds two versions of a receipt (of
 * one second: the one taken later). Returns the ledger entries read, for the moves.
 */
async function dropSettledVersions(
  rows: PendingRow[],
  ledger: WriterLedger,
): Promise<{ live: PendingRow[]; entries: Map<string, LedgerEntry> }> {
  const newest = new Map<string, PendingRow>();
  for (const p of rows) {
    const other = newest.get(p.row.receiptId);
    // p replaces the version seen so far unless that one is newer (a removal wins a tie).
    if (!other || !isStaleVersion(versionOf(other), versionOf(p))) {
      if (other) other.resolve({ outcome: 'unchanged', reason: `superseded by version ${p.row.sourceVersion}` });
      newest.set(p.row.receiptId, p);
    } else {
      p.resolve({ outcome: 'unchanged', reason: `superseded by version ${other.row.sourceVersion}` });
    }
  }
  const entries = await ledger.getMany([...newest.keys()]);
  const live: PendingRow[] = [];
  for (const p of newest.values()) {
    const settled = ledgerSettles(entries.get(p.row.receiptId), p.row);
    if (!settled) {
      live.push(p);
      continue;
    }
    if (settled.confirm) {
      // K3Cloud holds this content already: the version is settled without a call (the ledger says so).
      const { sourceVersion, sourceDigest, removed } = p.row;
      await ledger.recordOutcome(p.row.receiptId, { status: 'written', sourceVersion, sourceDigest, removed });
    }
    p.resolve({ outcome: 'unchanged', reason: settled.reason });
  }
  return { live, entries };
}

const versionOf = (p: PendingRow) => ({ sourceVersion: p.row.sourceVersion, removed: p.row.removed });

/**
 * A receipt re-linked in OKKI to another sales order: its row on the previous order is flagged
 * removed (F_PBLH_Removed) in the same BatchSave that writes it on the new one, so the payment is
 * active on exactly one order. The previous order joins the batch (no other batch may hold it);
 * when another batch holds it, the row goes back in line and comes again once that batch is done.
 */
function moveFlags(
  rows: PendingRow[],
  entries: Map<string, LedgerEntry>,
  before: OrdersBefore,
  deps: BatchWriterDeps,
  reserve: ReserveOrder,
): { rows: PendingRow[]; flags: PendingRow[] } {
  const kept: PendingRow[] = [];
  const flags: PendingRow[] = [];
  const { removedField, rowKeyField } = deps.locator;
  for (const p of rows) {
    const move = moveOf(p.row, entries.get(p.row.receiptId), before, removedField);
    if (move === 'no-order') {
      // Unlinked, and no order holds an active row of it: the receipt has no sales order.
      p.reject(new QuarantineError(p.row.receiptNo, [NO_ORDER_MESSAGE]));
      continue;
    }
    if (move.found.length > 0 && !move.found.every((r) => reserve(r.orderId))) {
      deps.requeue(p);
      continue;
    }
    // A removal that named no order flags the first row found itself, and the others beside it.
    if (move.target) p.row = { ...p.row, orderId: move.target.orderId, fid: move.target.fid };
    kept.push(p);
    for (const r of moveFlagsOf(move)) {
      flags.push({
        row: {
          ...p.row,
          orderId: r.orderId,
          fid: r.fid,
          removed: true,
          fields: { [rowKeyField]: p.row.rowKey, [removedField!]: true },
        },
        solo: false,
        flagOf: p,
        // A flag settles with its row: the row counts as written only when every flag is in K3Cloud.
        resolve: () => undefined,
        reject: () => undefined,
      });
    }
  }
  return { rows: kept, flags };
}

/**
 * K3Cloud's request filter refused the whole BatchSave because of some row's text (nothing was
 * applied). The rows whose text could trip it (a `<`) are saved each in a request of its own, the
 * others together again without them (when no row looks suspect, every row alone); a row refused
 * alone is held back with K3Cloud's message and the field (a dead letter). The batch's orders stay
 * held meanwhile. At most one request more for the rest and two (read, save) per suspect row.
 */
async function isolateFiltered(
  rows: PendingRow[],
  error: K3CloudRequestFilterError,
  deps: BatchWriterDeps,
  reserve: ReserveOrder,
): Promise<void> {
  const main = rows.filter((p) => !p.flagOf);
  const { removedField, rowKeyField } = deps.locator;
  const removal = main.length === 1 && main[0]!.row.removed ? main[0]! : undefined;
  if (removal && removedField && Object.keys(removal.row.fields).length > 2) {
    // A removal must stop the payment counting even when K3Cloud refuses its text: the flag alone.
    const fields = { [rowKeyField]: removal.row.rowKey, [removedField]: true };
    return saveRows([{ ...removal, row: { ...removal.row, fields } }], deps, reserve);
  }
  if (main.length === 1) {
    const p = main[0]!;
    const fields = requestFilterSuspects(p.row.fields).map((s) => s.path);
    p.reject(
      new K3CloudRequestFilterError(error.rule, error.k3Message, {
        details: { receiptNo: p.row.receiptNo, fields },
        cause: error,
      }),
    );
    return;
  }
  const suspects = main.filter((p) => requestFilterSuspects(p.row.fields).length > 0);
  const groups =
    suspects.length > 0 && suspects.length < main.length
      ? [main.filter((p) => !suspects.includes(p)), ...suspects.map((p) => [p])]
      : main.map((p) => [p]);
  deps.logger.warn(
    { rule: error.rule, rows: main.length, suspects: suspects.map((p) => p.row.receiptNo) },
    "K3Cloud's request filter refused a BatchSave; saving the rows it may object to on their own",
  );
  for (const group of groups) await saveRows(group, deps, reserve);
}
