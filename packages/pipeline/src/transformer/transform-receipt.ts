import type { Logger, StageOutcome } from '@receipt-sync/core';
import { versionDigest, type Mapping } from '@receipt-sync/mapping';
import {
  addReadyRow,
  laneOf,
  receiptVersionKey,
  recordDeadLetter,
  settleFailure,
  type OutcomeTracker,
  type PipelineJob,
  type PipelineQueues,
  type ReadyRow,
} from '../queues';
import { alreadyWritten, hasOrder, ledgerFid, mapPlannedRow, planRow, skipReason, TOMBSTONE } from '../decide';
import { cachedOrderFid, type OrderLookupSource } from './order-resolver';
import type { OrderIndex, ReceiptInfoSource, TransformerLedger } from './ports';

export interface TransformerDeps {
  queues: PipelineQueues;
  tracker: OutcomeTracker;
  ledger: TransformerLedger;
  mapping: Mapping;
  /** The order-index cache (filled by the writer); the transformer makes no K3Cloud call. */
  orders: OrderIndex;
  /** Present when bank enrichment is on and the mapping reads `info.` fields. */
  info?: ReceiptInfoSource;
  orderWaitDelaysMs: number[];
  logger: Logger;
  onOutcome?: (outcome: TransformOutcome, detail: { receiptNo: string; code?: string }) => void;
  /** Where the sales order's FID came from (`order_lookups_total`). */
  onOrderLookup?: (source: OrderLookupSource) => void;
}

/** The transformer never writes: its jobs end forwarded to the writer, or finished without a write. */
export type TransformOutcome = Exclude<StageOutcome, 'written'>;

/**
 * raw → ready. Skips versions already written (no OKKI or K3Cloud call), quarantines receipts that
 * break data-quality rules, enriches with bank details, maps, and hands a typed row to the writer
 * under a deterministic job id (the writer resolves the sales order; a cached FID rides along).
 */
export async function transformReceipt(
  job: PipelineJob<'raw'>,
  token: string | undefined,
  deps: TransformerDeps,
): Promise<{ outcome: TransformOutcome; reason?: string }> {
  const { receipt, removed, windowId } = job.data;
  const receiptId = String(receipt.cash_collection_id);
  const version = receipt.update_time;
  const versionKey = receiptVersionKey(receiptId, version, removed);
  const receiptNo =
    typeof receipt.cash_collection_no === 'string' && receipt.cash_collection_no
      ? receipt.cash_collection_no
      : `#${receiptId}`;
  const orderId = receipt.order_id === undefined || receipt.order_id === null ? '' : String(receipt.order_id);
  const customer = customerOf(receipt as Record<string, unknown>);
  const lane = laneOf(job);
  const log = deps.logger.child({ receiptId, receiptNo, version, removed, jobId: job.id, lane });

  const finish = async (outcome: 'unchanged', why: string) => {
    await deps.tracker.record(versionKey, outcome);
    deps.onOutcome?.(outcome, { receiptNo });
    log.debug({ why }, 'receipt unchanged');
    return { outcome, reason: why };
  };

  try {
    const ledger = await deps.ledger.get(receiptId);
    const digest = versionDigest(receipt as Record<string, unknown>);
    const skip = skipReason(ledger, { version, removed, digest }, receiptNo);
    if (skip === TOMBSTONE) {
      // Remembered, so an earlier active version still on its way (a retry) can never write it back.
      await deps.ledger.recordOutcome(receiptId, {
        status: 'unchanged',
        receiptNo,
        ...(orderId ? { orderId } : {}),
        sourceVersion: version,
        sourceDigest: digest,
        removed: true,
      });
      // The ledger may have lost a row K3Cloud holds (Redis emptied): its order is asked to flag it if present.
      if (!hasOrder(receipt.order_id))
        return await finish('unchanged', 'removed in OKKI before it was written to K3Cloud');
    }
    if (skip && skip !== TOMBSTONE) return await finish('unchanged', skip);
    const plan = planRow(ledger, job.data);
    const row = await mapPlannedRow(plan, skip, { receiptNo, digest, lane }, deps);
    if (!row) return await finish('unchanged', 'removed in OKKI before it was written to K3Cloud');
    const done = alreadyWritten(ledger, row, { version, removed: plan.removes, skip });
    // The same content on the same order is settled without a K3Cloud call (docs/operations.md#outcomes),
    // in one compare-and-set: the ledger read above came before the OKKI call, and a version written
    // since (edits A → B → A) sends this one on to the writer instead.
    const touch = {
      orderId: row.orderKey,
      contentHash: row.contentHash,
      sourceVersion: version,
      sourceDigest: digest,
      removed: plan.removes,
      receiptNo,
      ...(customer ? { customer } : {}),
    };
    if (done && (await deps.ledger.settleUnchanged(receiptId, touch))) return await finish('unchanged', done);
    const written = ledgerFid(ledger, row.orderKey);
    const onLookup = (source: OrderLookupSource) => {
      deps.onOrderLookup?.(source);
      log.debug({ orderId: row.orderKey, orderLookup: source }, 'order lookup');
    };
    if (written !== undefined) onLookup('ledger');
    const fid = written ?? (await cachedOrderFid(deps.orders, row.orderKey, onLookup));
    // A tombstone stays one: its removal row only flags a row K3Cloud may hold that the ledger lost.
    if (skip !== TOMBSTONE)
      await deps.ledger.recordOutcome(receiptId, {
        status: 'pending',
        receiptNo,
        // The receipt page names the customer from here: a written row's K3Cloud fields carry none.
        ...(customer ? { customer } : {}),
        // The ledger keeps naming the order a written row is on (a move) until the writer moves it.
        orderId: row.orderKey,
        sourceVersion: version,
        sourceDigest: digest,
        // As OKKI listed it: a version's tie with a removal is decided by what OKKI says.
        removed,
      });
    const ready: ReadyRow = {
      windowId,
      receiptId,
      receiptNo,
      orderId: row.orderKey,
      ...(fid === undefined ? {} : { fid }),
      sourceVersion: version,
      removed: plan.removes,
      rowKey: row.rowKey,
      fields: row.fields,
      contentHash: row.contentHash,
      sourceDigest: digest,
      ...(plan.removes === removed ? {} : { listedRemoved: removed }),
    };
    await addReadyRow(deps.queues, plan.removes ? 'removed-row' : 'row', ready, lane);
    deps.onOutcome?.('forwarded', { receiptNo });
    return { outcome: 'forwarded' };
  } catch (error) {
    const settled = await settleFailure(job, token, error, {
      queues: deps.queues,
      tracker: deps.tracker,
      sourceQueue: 'raw',
      orderWaitDelaysMs: deps.orderWaitDelaysMs,
      versionKey,
      receiptId,
      receiptNo,
      windowId,
      onDeadLetter: async (record) => {
        await recordDeadLetter(deps.ledger, record, { receiptId, receiptNo, orderId, sourceVersion: version });
        log.warn({ code: record.code, reason: record.reason }, `receipt ${record.kind}`);
      },
    });
    deps.onOutcome?.(settled.outcome, { receiptNo, code: settled.code });
    return { outcome: settled.outcome, reason: settled.reason };
  }
}

/** The customer's name as OKKI sent it (`company_info.name`), trimmed; undefined when OKKI sent none. */
export function customerOf(receipt: Record<string, unknown>): string | undefined {
  const company = receipt.company_info;
  const name = company && typeof company === 'object' ? (company as { name?: unknown }).name : undefined;
  return typeof name === 'string' && name.trim() !== '' ? name.trim().slice(0, 1000) : undefined;
}
