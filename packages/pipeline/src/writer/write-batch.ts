import { isSyncError, type LockedOrderPolicy, type Logger } from '@receipt-sync/core';
import type { ValueKind } from '@receipt-sync/mapping';
import { readExistingRows, type RowLocator } from './existing-rows';
import type { UnauditDeps } from './locked-orders';
import type { OrderLocks } from '../locks';
import type { K3CloudWriter, WriterLedger, WriterSaveOptions } from './ports';
import type { PendingRow } from './row-batcher';
import { readSavedState } from './saved-rows';
import { modelFor, settleOrder, waitsAsIs, type Batch } from './settle-order';

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
  // A batch where every model failed for a reason that waits as it is needs no read at all.
  const state = results.every((r) => !r.ok && r.error !== undefined && waitsAsIs(r.error))
    ? { rows: new Map(), orders: new Map() }
    : await readBack(deps, locator, fids, fields);
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

/**
 * THE read after the save, asked once more if it fails for a passing reason (a session lost twice,
 * a timeout): the save may have been applied, and a whole retry would cost the rows an attempt.
 */
async function readBack(deps: BatchWriterDeps, locator: RowLocator, fids: number[], fields: string[]) {
  try {
    return await readSavedState(deps.k3, locator, fids, fields);
  } catch (error) {
    if (!isSyncError(error) || error.disposition !== 'transient') throw error;
    deps.logger.info({ err: error }, 'read after BatchSave failed; asking once more');
    return readSavedState(deps.k3, locator, fids, fields);
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
    } else if (e?.status === 'written' && e.contentHash === p.row.contentHash && e.k3Fid === p.row.fid) {
      p.resolve({ outcome: 'unchanged', reason: 'content already written' });
    } else {
      live.push(p);
    }
  }
  return live;
}
