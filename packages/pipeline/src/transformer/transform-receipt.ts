import { EarlierVersionInFlightError, OkkiBusinessError, QuarantineError } from '@receipt-sync/core';
import type { Logger, StageOutcome } from '@receipt-sync/core';
import { checkQuality, mapReceipt, type MappedRow, type Mapping } from '@receipt-sync/mapping';
import type { LedgerEntry } from '@receipt-sync/store';
import {
  readyJobId,
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
    const skip = skipReason(ledger, version, removed, receiptNo);
    if (skip) return await finish('unchanged', skip);
    const row = await mapOrQuarantine(job.data, receiptNo, deps);
    if (ledger?.status === 'written' && ledger.contentHash === row.contentHash) {
      await deps.ledger.recordOutcome(receiptId, { status: 'written', sourceVersion: version });
      return await finish('unchanged', 'mapped content equals the last write');
    }
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
      orderId: row.orderKey,
      sourceVersion: version,
    });
    const ready: ReadyRow = {
      windowId,
      receiptId,
      receiptNo,
      orderId: row.orderKey,
      ...(fid === undefined ? {} : { fid }),
      sourceVersion: version,
      removed,
      rowKey: row.rowKey,
      fields: row.fields,
      contentHash: row.contentHash,
    };
    // Every row of one sales order goes to the same ready shard (READY_SHARDS), worked by one writer.
    await deps.queues.readyShards.for(ready.orderId).add(removed ? 'removed-row' : 'row', ready, {
      jobId: readyJobId(receiptId, version, removed),
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

/**
 * Why this version needs no work, or undefined when it does. Throws EarlierVersionInFlightError for
 * a removal whose active version is still on its way (the row must be flagged once it exists).
 */
function skipReason(
  ledger: LedgerEntry | undefined,
  version: string,
  removed: boolean,
  receiptNo: string,
): string | undefined {
  if (ledger && ledger.sourceVersion > version) return `superseded by version ${ledger.sourceVersion}`;
  if (ledger?.status === 'written' && ledger.sourceVersion === version && ledger.removed === removed) {
    return 'this version was already written';
  }
  if (removed && !ledger?.k3Fid) {
    // Its active version is still on the way: flag the row once it exists, never skip the flag.
    if (ledger?.status === 'pending') throw new EarlierVersionInFlightError(receiptNo);
    // Removed before it ever reached K3Cloud: there is no row to flag, and none must be created.
    return 'removed in OKKI and never written to K3Cloud';
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
