import {
  describeError,
  K3CloudOrderLockedError,
  K3CloudReauditFailedError,
  K3CloudRejectedError,
  type LockedOrderPolicy,
  type Logger,
} from '@receipt-sync/core';
import type { RowLocator } from './existing-rows';
import type { K3CloudWriter, WriterSaveOptions } from './ports';
import type { PendingRow } from './row-batcher';
import { readSavedState, type SavedState } from './saved-rows';

/** Statuses whose field locks may keep a save from changing a sales order (docs/apis/k3cloud.md §7). */
export const isLockedStatus = (status: string): boolean => status === 'B' || status === 'C';

export interface LockedOrder {
  fid: number;
  billNo: string;
  status: string;
  /** What K3Cloud did: refused the save (its words), or reported success without applying it. */
  reason: string;
}

export interface UnauditDeps {
  k3: K3CloudWriter;
  logger: Logger;
  saveOptions: WriterSaveOptions;
  /**
   * The writer lease's fencing check, before every K3Cloud write: throws (and nothing is sent) once
   * this process is no longer the active writer (docs/scaling.md#one-active-writer).
   */
  fence(): Promise<void>;
  /**
   * Records an order this writer un-audits (`pending` while the steps run, so a writer killed
   * between UnAudit and Audit leaves a trace) or could not audit again: alert and dashboard.
   */
  onOrderLeftUnaudited?: (order: {
    fid: number;
    billNo: string;
    reason: string;
    pending?: boolean;
  }) => Promise<void> | void;
  /** The order is audited again (or was never un-audited): clears its record. */
  onOrderAudited?: (fid: number) => Promise<void> | void;
}

/** Whether policy `unaudit` applies: opt-in, and only to audited (C) orders, never to ones in approval. */
export function shouldUnaudit(policy: LockedOrderPolicy, order: LockedOrder): boolean {
  return policy === 'unaudit' && order.status === 'C';
}

/** Policy `wait` (or an order in B): every row waits on the long order schedule, then dead-letters naming the order. */
export function rejectLocked(order: LockedOrder, rows: PendingRow[]): void {
  for (const p of rows) p.reject(new K3CloudOrderLockedError(order.billNo, order.status, order.reason));
}

/**
 * Policy `unaudit` for one audited order (no other batch of it runs meanwhile): UnAudit → Save → Submit → Audit,
 * each call in the API audit log, then the state read back. Once UnAudit has (or may have) taken
 * effect, Submit and Audit always run, whatever the save did; if they fail the order is reported
 * (alert) and its rows dead-lettered naming it: an order is never left un-audited silently.
 * Resolves with the state read after the steps, or undefined when the rows were settled here.
 */
export async function saveThroughUnaudit(
  deps: UnauditDeps,
  locator: RowLocator,
  order: LockedOrder,
  model: Record<string, unknown>,
  rows: PendingRow[],
  fields: string[],
): Promise<SavedState | undefined> {
  const { k3, logger } = deps;
  const log = logger.child({ fid: order.fid, billNo: order.billNo });
  const mark = { fid: order.fid, billNo: order.billNo };
  await deps.fence();
  await deps.onOrderLeftUnaudited?.({ ...mark, reason: 'UnAudit → Save → Submit → Audit in progress', pending: true });
  try {
    await k3.unAudit(locator.formId, [order.billNo]);
  } catch (error) {
    if (error instanceof K3CloudRejectedError) {
      await deps.onOrderAudited?.(order.fid);
      log.warn({ err: error }, 'UnAudit refused; the order stays audited');
      for (const p of rows)
        p.reject(
          new K3CloudOrderLockedError(order.billNo, order.status, `UnAudit refused: ${error.message}`, {
            permanent: true,
          }),
        );
      return undefined;
    }
    // No trustworthy answer: the order may be un-audited now. Look before deciding.
    const state = await readSavedState(k3, locator, [order.fid], []).catch(() => undefined);
    if (state?.orders.get(order.fid)?.status === 'C') {
      await deps.onOrderAudited?.(order.fid);
      for (const p of rows) p.reject(error);
      return undefined;
    }
    await reaudit(deps, locator, order, rows, error);
    return undefined;
  }
  log.info('UnAudit done; saving the receipt rows');
  let saveError: unknown;
  try {
    const { results } = await k3.batchSave(locator.formId, [model], deps.saveOptions);
    if (!results[0]?.ok) saveError = results[0]?.error ?? new Error('no result for the model');
  } catch (error) {
    saveError = error;
  }
  const settled = await reaudit(deps, locator, order, rows, saveError);
  if (settled) return undefined;
  return readSavedState(k3, locator, [order.fid], fields);
}

/** Submit → Audit after an UnAudit; true when the rows were settled (save failed, or the order is left un-audited). */
async function reaudit(
  deps: UnauditDeps,
  locator: RowLocator,
  order: LockedOrder,
  rows: PendingRow[],
  saveError: unknown,
): Promise<true | undefined> {
  try {
    await deps.k3.submit(locator.formId, [order.billNo]);
    await deps.k3.audit(locator.formId, [order.billNo]);
    await deps.onOrderAudited?.(order.fid);
    deps.logger.info({ fid: order.fid, billNo: order.billNo }, 'order submitted and audited again');
  } catch (error) {
    const saved = saveError === undefined ? 'the receipt rows were saved, ' : '';
    const reason = `${saved}re-audit failed: ${describeError(error)}`;
    deps.logger.error({ fid: order.fid, billNo: order.billNo, err: error }, 'sales order left un-audited');
    await deps.onOrderLeftUnaudited?.({ fid: order.fid, billNo: order.billNo, reason });
    for (const p of rows) p.reject(new K3CloudReauditFailedError(order.billNo, reason, { cause: error }));
    return true;
  }
  if (saveError === undefined) return undefined;
  for (const p of rows) p.reject(saveError);
  return true;
}
