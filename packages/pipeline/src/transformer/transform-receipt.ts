import { EarlierVersionInFlightError, OkkiBusinessError, QuarantineError } from '@receipt-sync/core';
import type { Lane, Logger, StageOutcome } from '@receipt-sync/core';
import {
  checkQuality,
  mapReceipt,
  NO_ORDER_MESSAGE,
  readRowKey,
  removedFlagField,
  versionDigest,
  type MappedRow,
  type Mapping,
} from '@receipt-sync/mapping';
import { isStaleVersion, type LedgerEntry } from '@receipt-sync/store';
import {
  addReadyRow,
  ANY_ORDER,
  laneOf,
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
    // A removal (deleted, or unlinked to order_id 0) flags the receipt's row where the ledger says it
    // is, whichever order OKKI names now: a receipt re-linked and then deleted before a sync is on its old order.
    const writtenOn = ledger?.k3Fid !== undefined && ledger.orderId ? ledger.orderId : undefined;
    const unlinked = !removed && !hasOrder(receipt.order_id) && writtenOn !== undefined && !ledger?.removed;
    const flagOn = removed || unlinked ? writtenOn : undefined;
    const source = flagOn
      ? { ...job.data, receipt: { ...receipt, order_id: Number(flagOn) }, removed: true }
      : job.data;
    // Unlinked while the ledger knows nothing of it (a new receipt, or a ledger Redis lost): the writer
    // flags its rows on whichever orders K3Cloud holds them, and quarantines it when there are none.
    const anywhere = !removed && !hasOrder(receipt.order_id) && ledger === undefined;
    const removes = source.removed || anywhere;
    const mapped = anywhere
      ? removalAnywhere(receipt, digest, deps.mapping)
      : mapOrQuarantine(source, receiptNo, deps, lane);
    // A tombstone's removal row is a precaution: a receipt OKKI deleted is not quarantined for its data.
    const row = skip === TOMBSTONE ? await mapped.catch(() => undefined) : await mapped;
    if (!row) return await finish('unchanged', 'removed in OKKI before it was written to K3Cloud');
    // A receipt already written to this order keeps its FID (the writer checks it still carries the order).
    const written = ledger?.k3Fid && ledger.orderId === row.orderKey ? ledger.k3Fid : undefined;
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
      removed: removes,
      rowKey: row.rowKey,
      fields: row.fields,
      contentHash: row.contentHash,
      sourceDigest: digest,
      ...(removes === removed ? {} : { listedRemoved: removed }),
    };
    await addReadyRow(deps.queues, removes ? 'removed-row' : 'row', ready, lane);
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

/**
 * A row that flags the receipt removed on every order K3Cloud holds it on (its order key is
 * ANY_ORDER): only the row key and the removed flag, so nothing of the receipt's text can be refused.
 */
async function removalAnywhere(
  receipt: RawReceiptJob['receipt'],
  digest: string,
  mapping: Mapping,
): Promise<MappedRow> {
  const key = readRowKey(receipt as Record<string, unknown>, mapping);
  const removedField = removedFlagField(mapping);
  if (!key.ok || !removedField) throw new QuarantineError(String(receipt.cash_collection_no ?? ''), [NO_ORDER_MESSAGE]);
  return {
    formId: mapping.formId,
    entity: mapping.entity,
    orderKey: ANY_ORDER,
    rowKey: key.key,
    fields: { [mapping.rowKey.targetField]: key.key, [removedField]: true },
    contentHash: `anywhere-${digest}`,
  } as MappedRow;
}

/** Data-quality rules, bank enrichment and the mapping; a receipt that breaks a rule is quarantined. */
async function mapOrQuarantine(
  { receipt, removed }: RawReceiptJob,
  receiptNo: string,
  deps: TransformerDeps,
  lane: Lane,
): Promise<MappedRow> {
  const problems = checkQuality({ receipt, removed }, deps.mapping);
  if (problems.length > 0) {
    throw new QuarantineError(
      receiptNo,
      problems.map((p) => p.message),
      { details: { problems } },
    );
  }
  const info = deps.info ? await fetchInfo(deps.info, receipt.cash_collection_id, removed, lane) : undefined;
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
  lane: Lane,
): Promise<Record<string, unknown> | undefined> {
  try {
    return await source.getReceiptInfo(id, { lane });
  } catch (error) {
    if (removed && error instanceof OkkiBusinessError && error.isNotFound) return undefined;
    throw error;
  }
}
