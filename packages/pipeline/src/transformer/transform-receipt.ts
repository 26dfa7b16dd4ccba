import { EarlierVersionInFlightError, OkkiBusinessError, QuarantineError } from '@receipt-sync/core';
import type { Logger, StageOutcome } from '@receipt-sync/core';
import { checkQuality, mapReceipt, versionDigest, type MappedRow, type Mapping } from '@receipt-sync/mapping';
import { isStaleVersion, type LedgerEntry } from '@receipt-sync/store';
import {
  readyJobIdFor,
  receiptVersionKey,
  recordDeadLetter,
  settleFailure,
  type OutcomeTracker,
  type PipelineJob,
  type PipelineQueues,
  type RawReceiptJob,
  type ReadyRow,
} from '../queues';
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
  const log = deps.logger.child({ receiptId, receiptNo, version, removed, jobId: job.id });

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
      return await finish('unchanged', 'removed in OKKI before it was written to K3Cloud (remembered)');
    }
    if (skip) return await finish('unchanged', skip);
    const unlinked = !removed && !hasOrder(receipt.order_id) && ledger?.k3Fid !== undefined && !ledger.removed;
    // Unlinked in OKKI (order_id 0): the row is flagged removed where it was; the payment is on no order.
    const source = unlinked
      ? { ...job.data, receipt: { ...receipt, order_id: Number(ledger.orderId) }, removed: true }
      : job.data;
    const row = await mapOrQuarantine(source, receiptNo, deps);
    // A receipt already written to this order keeps its FID (the writer checks it still carries the order).
    const written = ledger?.k3Fid && ledger.orderId === row.orderKey ? ledger.k3Fid : undefined;
    const onLookup = (source: OrderLookupSource) => {
      deps.onOrderLookup?.(source);
      log.debug({ orderId: row.orderKey, orderLookup: source }, 'order lookup');
    };
    if (written !== undefined) onLookup('ledger');
    const fid = written ?? (await cachedOrderFid(deps.orders, row.orderKey, onLookup));
    await deps.ledger.recordOutcome(receiptId, {
      status: 'pending',
      receiptNo,
      // While a row is written on another order (a move), the ledger keeps naming that order: the
      // writer flags the row there in the same save that writes the new one.
      ...(ledger?.k3Fid === undefined ? { orderId: row.orderKey } : {}),
      sourceVersion: version,
      sourceDigest: digest,
      removed: source.removed,
    });
    const ready: ReadyRow = {
      windowId,
      receiptId,
      receiptNo,
      orderId: row.orderKey,
      ...(fid === undefined ? {} : { fid }),
      sourceVersion: version,
      removed: source.removed,
      rowKey: row.rowKey,
      fields: row.fields,
      contentHash: row.contentHash,
      sourceDigest: digest,
    };
    await deps.queues.ready.add(source.removed ? 'removed-row' : 'row', ready, {
      jobId: await readyJobIdFor(deps.queues, ready),
    });
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

const TOMBSTONE = Symbol('tombstone');

const hasOrder = (orderId: unknown) => orderId !== undefined && orderId !== null && Number(orderId) !== 0;

/**
 * Why this version needs no work, TOMBSTONE for a removal to remember, or undefined when it needs
 * work. A version is its `update_time` and its content: the same second with other content is a
 * newer version; a removal wins a tie. Throws EarlierVersionInFlightError for a removal whose active
 * version is on its way to K3Cloud now (its row must be flagged once it exists).
 */
function skipReason(
  ledger: LedgerEntry | undefined,
  v: { version: string; removed: boolean; digest: string },
  receiptNo: string,
): string | typeof TOMBSTONE | undefined {
  if (isStaleVersion(ledger, { sourceVersion: v.version, removed: v.removed })) {
    return `superseded by version ${ledger!.sourceVersion}${ledger!.removed ? ' (removed)' : ''}`;
  }
  const sameVersion = ledger?.sourceVersion === v.version && ledger.removed === v.removed;
  const sameContent = ledger?.sourceDigest === undefined || ledger.sourceDigest === v.digest;
  if (sameVersion && sameContent && (ledger.status === 'written' || ledger.status === 'unchanged')) {
    return 'this version was already settled';
  }
  if (v.removed && !ledger?.k3Fid) {
    // Its active version is still on the way: flag the row once it exists, never skip the flag.
    if (ledger?.status === 'pending' && !ledger.removed) throw new EarlierVersionInFlightError(receiptNo);
    return TOMBSTONE;
  }
  return undefined;
}

/** Data-quality rules, bank enrichment and the mapping; a receipt that breaks a rule is quarantined. */
async function mapOrQuarantine(
  { receipt, removed }: RawReceiptJob,
  receiptNo: string,
  deps: TransformerDeps,
): Promise<MappedRow> {
  const problems = checkQuality({ receipt, removed }, deps.mapping);
  if (problems.length > 0) {
    throw new QuarantineError(
      receiptNo,
      problems.map((p) => p.message),
      { details: { problems } },
    );
  }
  const info = deps.info ? await fetchInfo(deps.info, receipt.cash_collection_id, removed) : undefined;
  const mapped = mapReceipt({ receipt, info, removed }, deps.mapping);
  if (!mapped.ok) {
    throw new QuarantineError(
      receiptNo,
      mapped.problems.map((p) => p.message),
      { details: { problems: mapped.problems } },
    );
  }
  return mapped.row;
}

/** Bank details; a removed receipt whose detail is gone keeps its last known bank fields. */
async function fetchInfo(
  source: ReceiptInfoSource,
  id: number,
  removed: boolean,
): Promise<Record<string, unknown> | undefined> {
  try {
    return await source.getReceiptInfo(id);
  } catch (error) {
    if (removed && error instanceof OkkiBusinessError && error.isNotFound) return undefined;
    throw error;
  }
}
