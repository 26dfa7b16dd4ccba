import {
  AmbiguousWriteError,
  isSyncError,
  SalesOrderNotFoundError,
  type LockedOrderPolicy,
  type Logger,
} from '@receipt-sync/core';
import type { ModelSaveResult } from '@receipt-sync/k3cloud';
import type { ValueKind } from '@receipt-sync/mapping';
import { fidFor, readOrdersBefore, type OrdersBefore, type RowLocator } from './existing-rows';
import type { UnauditDeps } from './locked-orders';
import type { OrderLocks } from '../locks';
import type { Tracing } from '../tracing';
import type { K3CloudWriter, WriterLedger, WriterOrderIndex, WriterSaveOptions } from './ports';
import type { PendingRow, TopUp } from './row-batcher';
import { readSavedState } from './saved-rows';
import { allSettled, modelFor, settleOrder, settleUnanswered, waitsAsIs, type Batch } from './settle-order';

export interface BatchWriterDeps extends UnauditDeps {
  k3: K3CloudWriter;
  ledger: WriterLedger;
  locks: OrderLocks;
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
  /** Puts a row back in line, at once or after `afterMs`. */
  requeue(row: PendingRow, afterMs?: number): void;
  /** Rows K3Cloud reported saved but did not hold when read back (metrics). */
  onNotApplied?: (cause: 'order-locked' | 'not-applied', rows: number) => void;
  /** Delay before retrying rows whose order is locked by another replica. @defaultValue 250 */
  lockRetryMs?: number;
  /** Tracing on: each batch's K3Cloud calls run inside a span linked to its rows' traces. */
  tracing?: Pick<Tracing, 'inBatch'>;
}

/**
 * How often a batch takes waiting rows in place of rows whose order another replica holds. With
 * several writers the oldest rows of every process belong to the same orders, so a top-up is often
 * refused in part too; one round left batches at 39 of 50 rows with four writers.
 */
const TOP_UP_ROUNDS = 4;

/** Builds the BatchSave writer handed to RowBatcher. */
export function createBatchWriter(
  deps: BatchWriterDeps,
): (rows: PendingRow[], more?: TopUp, k3Done?: () => Promise<void>) => Promise<void> {
  // `k3Done` lets the batch slot go early; the batcher that took the slot lets it go in any case.
  return async (rows, more, k3Done = async () => undefined) => {
    const { mine, held } = await lockOrders(rows, deps, more);
    if (mine.length === 0) return;
    const save = () => saveRows(mine, deps, k3Done);
    const traced = deps.tracing
      ? () =>
          deps.tracing!.inBatch(
            mine.map((p) => p.trace),
            mine.length,
            save,
          )
      : save;
    await deps.locks.hold([...held], traced);
  };
}

/**
 * Locks the batch's orders. Rows of orders another replica holds go back in line shortly; in their
 * place the batch takes waiting rows (`more`) of other orders, up to TOP_UP_ROUNDS times, so it
 * keeps its size.
 */
async function lockOrders(
  rows: PendingRow[],
  deps: BatchWriterDeps,
  more?: TopUp,
): Promise<{ mine: PendingRow[]; held: Set<string> }> {
  const mine: PendingRow[] = [];
  const held = new Set<string>();
  const refused = new Set<string>();
  const lock = async (candidates: PendingRow[]) => {
    const got = new Set(await deps.locks.acquire([...new Set(candidates.map((p) => p.row.orderId))]));
    for (const p of candidates) {
      if (got.has(p.row.orderId)) {
        mine.push(p);
        held.add(p.row.orderId);
      } else {
        refused.add(p.row.orderId);
        deps.requeue(p, deps.lockRetryMs ?? 250);
      }
    }
  };
  await lock(rows);
  for (let round = 0; more && round < TOP_UP_ROUNDS && mine.length < rows.length; round += 1) {
    const added = more(rows.length - mine.length, refused);
    if (added.length === 0) break;
    await lock(added);
  }
  return { mine, held };
}

/**
 * Two K3Cloud queries per batch, never more: THE read before the save (order ids → FIDs and the
 * rows they carry), one BatchSave (one model per order), then THE read-back: every row is counted
 * written only when K3Cloud holds every mapped field as sent (verified writes).
 */
async function saveRows(rows: PendingRow[], deps: BatchWriterDeps, k3Done: () => Promise<void>): Promise<void> {
  const settled = await dropSettledVersions(rows, deps.ledger);
  if (settled.length === 0) return;
  const { locator } = deps;
  // The receipts and orders of this batch, named in the audit record of every call made for it.
  const subjects = [...new Set(settled.flatMap((p) => [p.row.receiptId, p.row.orderId]))];
  const before = await readOrdersBefore(deps.k3, locator, [...new Set(settled.map((p) => p.row.orderId))], subjects);
  const live = await placeRows(settled, before, deps);
  if (live.length === 0) return;
  const byFid = new Map<number, PendingRow[]>();
  for (const p of live) byFid.set(p.row.fid!, [...(byFid.get(p.row.fid!) ?? []), p]);
  const fids = [...byFid.keys()];
  const fields = [...new Set(live.flatMap((p) => Object.keys(p.row.fields)))];
  const batch: Batch = { locator, byFid, existing: before.existing, fields };

  let results: ModelSaveResult[];
  try {
    ({ results } = await deps.k3.batchSave(
      locator.formId,
      fids.map((fid) => modelFor(batch, fid, deps.logger)),
      deps.saveOptions,
      subjects,
    ));
  } catch (error) {
    if (!(error instanceof AmbiguousWriteError)) throw error;
    await settleLostAnswer(batch, error, deps, subjects, k3Done);
    return;
  }
  // Orders whose save failed are read too (same query): their status tells a locked order apart.
  // A batch where every model failed for a reason that waits as it is needs no read at all.
  const state = results.every((r) => !r.ok && r.error !== undefined && waitsAsIs(r.error))
    ? { rows: new Map(), orders: new Map() }
    : await readBack(deps, locator, fids, fields, subjects);
  // Settling is Redis work (and, policy unaudit, K3Cloud steps through the call limiter): the next batch may start.
  await k3Done();
  // Orders settle side by side: their rows, ledger entries and (policy unaudit) K3Cloud steps are disjoint.
  // All of them finish before the order locks are let go, even when one fails.
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
    const fid = fidFor(before, p.row.orderId, p.row.fid);
    if (fid === undefined) {
      missing.add(p.row.orderId);
      p.reject(new SalesOrderNotFoundError(p.row.orderId));
      continue;
    }
    p.row = { ...p.row, fid };
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
  k3Done: () => Promise<void>,
): Promise<void> {
  const fids = [...batch.byFid.keys()];
  const state = await readBack(deps, batch.locator, fids, batch.fields, subjects).catch((readError: unknown) => {
    deps.logger.info({ err: readError }, 'read after a lost BatchSave answer failed; the rows retry');
    return undefined;
  });
  await k3Done();
  if (!state) throw error;
  deps.logger.info({ fids, err: error }, 'BatchSave answer lost; settling its rows from the read after it');
  await allSettled(fids.map((fid) => settleUnanswered(batch.byFid.get(fid)!, fid, state, error, deps)));
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
    } else if (e?.status === 'written' && e.contentHash === p.row.contentHash && e.orderId === p.row.orderId) {
      p.resolve({ outcome: 'unchanged', reason: 'content already written' });
    } else {
      live.push(p);
    }
  }
  return live;
}
