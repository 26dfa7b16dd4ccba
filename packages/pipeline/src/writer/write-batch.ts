import { K3CloudValidationError } from '@receipt-sync/core';
import type { Logger } from '@receipt-sync/core';
import { readExistingRows, rowSlot, type ExistingRows, type RowLocator } from './existing-rows';
import type { OrderLocks } from '../locks';
import type { K3CloudWriter, WriterLedger, WriterSaveOptions } from './ports';
import type { PendingRow } from './row-batcher';

export interface BatchWriterDeps {
  k3: K3CloudWriter;
  ledger: WriterLedger;
  locks: OrderLocks;
  logger: Logger;
  /** Where receipt rows go (form, entity, row-key field): the writer's mapping, for every row alike. */
  locator: RowLocator;
  /** BatchSave options from the mapping: isDeleteEntry false etc. (docs/apis/k3cloud.md §4.1). */
  saveOptions: WriterSaveOptions;
  requeue(row: PendingRow): void;
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

async function saveRows(rows: PendingRow[], deps: BatchWriterDeps): Promise<void> {
  const live = await dropSettledVersions(rows, deps.ledger);
  if (live.length === 0) return;
  const { locator } = deps;
  const byFid = new Map<number, PendingRow[]>();
  for (const p of live) byFid.set(p.row.fid, [...(byFid.get(p.row.fid) ?? []), p]);
  const fids = [...byFid.keys()];

  const existing = await readExistingRows(deps.k3, locator, fids);
  const models = fids.map((fid) => ({
    FID: fid,
    [locator.entity]: byFid
      .get(fid)!
      .map((p) => ({ FEntryID: entryIdOf(existing, fid, p.row.rowKey, deps.logger) ?? 0, ...p.row.fields })),
  }));
  const { results } = await deps.k3.batchSave(locator.formId, models, deps.saveOptions);

  const saved = fids.filter((_, i) => results.find((r) => r.dIndex === i)?.ok);
  const needReread = saved.some((fid) =>
    byFid.get(fid)!.some((p) => entryIdOf(existing, fid, p.row.rowKey) === undefined),
  );
  const after = needReread ? await readExistingRows(deps.k3, locator, saved) : existing;

  for (const [i, fid] of fids.entries()) {
    const group = byFid.get(fid)!;
    const result = results.find((r) => r.dIndex === i);
    if (result?.ok) {
      for (const p of group) await settleWritten(p, fid, entryIdOf(after, fid, p.row.rowKey) ?? 0, deps.ledger);
      continue;
    }
    const errors = result?.errors ?? [
      { fieldName: null, message: 'no result for this model in the BatchSave answer', dIndex: i },
    ];
    if (result?.error && result.error.disposition !== 'permanent') {
      // A network-control conflict or similar on this bill only: retry these rows later as they are.
      for (const p of group) p.reject(result.error);
    } else if (group.length > 1) {
      // K3Cloud names no row when it rejects a model: save each row alone so only the bad one fails.
      deps.logger.warn({ fid, rows: group.length, errors }, 'sales order model rejected; isolating its rows');
      for (const p of group) deps.requeue({ ...p, solo: true });
    } else {
      group[0]!.reject(result?.error ?? new K3CloudValidationError(11, errors, { details: { fid } }));
    }
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
