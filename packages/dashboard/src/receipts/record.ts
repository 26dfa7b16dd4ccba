import type { ProblemWhy } from '@receipt-sync/core';
import { redactText, type ApiCallRecord } from '@receipt-sync/core';
import { DEFAULT_MAPPING, type Mapping } from '@receipt-sync/mapping';
import { DeadLetterJobSchema, deadLetterQueueFor, type PipelineQueues } from '@receipt-sync/pipeline';
import { factsFromFields, factsFromPayload, type ReceiptFacts } from './facts';
import type { LedgerEntry, OrderLookup, ReceiptVersion, SyncStore } from '@receipt-sync/store';
import { receiptJobs, type ReceiptJob } from './jobs';
import { reconcileState, type ReconcileState } from './reconcile';

/** Everything known about one receipt: what `/api/receipts/:key` and `receipt show` answer. */
export interface ReceiptRecord {
  receiptId: string;
  receiptNo: string;
  orderId: string;
  /** Current outcome (ledger status) and, when failing, why. */
  outcome: LedgerEntry['status'];
  reason?: {
    code: string;
    message: string;
    at: string;
    cause: string;
    why?: readonly ProblemWhy[];
  };
  /** Attempts spent on the version in the ledger; for a dead letter, the attempts its job made. */
  attempts: number;
  updatedAt: string;
  /** Amount, currency, collection date, customer, type: from K3Cloud when written, else from OKKI's version. */
  facts?: ReceiptFacts;
  /** Every version seen, newest first. */
  versions: Array<Pick<ReceiptVersion, 'updateTime' | 'removed' | 'source' | 'windowId'> & { seenAt: string }>;
  /** The version the ledger describes. */
  currentVersion: { updateTime: string; removed: boolean };
  jobs: ReceiptJob[];
  /** OKKI and K3Cloud calls naming the receipt, or only its order (audit log), newest first. */
  calls: Array<ApiCallRecord & { about: 'receipt' | 'order' }>;
  /** The K3Cloud sales order (from the order cache; absent when not cached any more). */
  order: {
    orderId: string;
    fid?: number;
    billNo?: string;
    /** FDocumentStatus when the writer last read the order, and when that was. */
    documentStatus?: string;
    statusSeenAt?: string;
    cached: 'hit' | 'miss' | 'expired';
  };
  /** The K3Cloud row and the values last written. */
  row?: { fid?: number; entryId?: number; writtenAt?: string; contentHash?: string; fields?: Record<string, unknown> };
  /**
   * The CLI command comparing this receipt's current version in OKKI, K3Cloud and the ledger: the
   * fallback when no process takes the page's reconcile requests.
   */
  reconcileCommand?: string;
  /** The latest "Reconcile this receipt" request (run by the producer) and its answer. */
  reconcile?: ReconcileState;
  /** Replays the receipt's dead letter (present only while one exists). */
  replay?: { queue: 'dead-letter' | 'quarantine'; deadLetterId: string };
}

export interface RecordSources {
  store: SyncStore;
  queues: PipelineQueues;
  /** Reads K3Cloud keys back as OKKI meanings and labels; DEFAULT_MAPPING when not given. */
  mapping?: Mapping;
}

/** The parked job of a dead-lettered or quarantined receipt: its payload (the receipt) and attempts. */
async function parked(
  queues: PipelineQueues,
  queue: 'dead-letter' | 'quarantine',
  id: string | undefined,
): Promise<{ payload: unknown; attemptsMade: number } | undefined> {
  if (id === undefined) return undefined;
  const job = await queues[queue].getJob(id);
  const parsed = DeadLetterJobSchema.safeParse(job?.data);
  return parsed.success ? { payload: parsed.data.payload, attemptsMade: parsed.data.attemptsMade } : undefined;
}

function orderOf(orderId: string, lookup: OrderLookup | undefined): ReceiptRecord['order'] {
  if (lookup === undefined) return { orderId, cached: 'expired' };
  if (lookup === 'miss') return { orderId, cached: 'miss' };
  const { fid, billNo, documentStatus, seenAt } = lookup;
  return { orderId, fid, billNo, documentStatus, statusSeenAt: seenAt, cached: 'hit' };
}

/** Undefined when the ledger has never seen the receipt. */
export async function receiptRecord(src: RecordSources, receiptId: string): Promise<ReceiptRecord | undefined> {
  const [entry, versions] = await Promise.all([src.store.ledger.get(receiptId), src.store.history.list(receiptId)]);
  if (!entry) return undefined;
  const current = { updateTime: entry.sourceVersion, removed: entry.removed };
  const jobVersions = versions.length > 0 ? versions : entry.sourceVersion ? [current] : [];
  const [jobs, lookup, receiptCalls, orderCalls, reconcile] = await Promise.all([
    receiptJobs(src.queues, receiptId, jobVersions),
    entry.orderId ? src.store.orders.get(entry.orderId) : Promise.resolve(undefined),
    src.store.audit.forSubject(receiptId),
    entry.orderId ? src.store.audit.forSubject(entry.orderId) : Promise.resolve([]),
    reconcileState(src.queues, receiptId),
  ]);
  const e = entry.lastError;
  const replayQueue = deadLetterQueueFor(entry.status === 'quarantined' ? 'quarantined' : 'dead-lettered');
  const mapping = src.mapping ?? DEFAULT_MAPPING;
  const failed = entry.status === 'dead-lettered' || entry.status === 'quarantined';
  const parkedJob = failed ? await parked(src.queues, replayQueue, entry.deadLetterId) : undefined;
  const read = entry.writtenFields
    ? factsFromFields(entry.writtenFields, mapping, 'k3cloud')
    : parkedJob
      ? factsFromPayload(parkedJob.payload, mapping)
      : undefined;
  // K3Cloud's row and a mapped row carry no customer: the ledger keeps the name from OKKI's version.
  const facts = read && !read.customer && entry.customer ? { ...read, customer: entry.customer } : read;
  const deadLetterLive = entry.deadLetterId !== undefined && jobs.some((j) => j.id === entry.deadLetterId);
  return {
    receiptId,
    receiptNo: entry.receiptNo,
    orderId: entry.orderId,
    outcome: entry.status,
    // Upstream error text is scrubbed like everywhere on the dashboard (configured secrets, tokens).
    ...(e
      ? {
          reason: {
            code: e.code,
            message: redactText(e.message),
            at: e.at.toISOString(),
            cause: e.cause,
            ...(e.why ? { why: e.why } : {}),
          },
        }
      : {}),
    attempts: Math.max(entry.attempts, parkedJob?.attemptsMade ?? 0),
    updatedAt: entry.updatedAt.toISOString(),
    ...(facts ? { facts } : {}),
    versions: versions.map((v) => ({
      updateTime: v.updateTime,
      removed: v.removed,
      source: v.source,
      windowId: v.windowId,
      seenAt: v.seenAt.toISOString(),
    })),
    currentVersion: current,
    jobs,
    calls: mergeCalls(receiptCalls, orderCalls),
    order: orderOf(entry.orderId, lookup),
    ...(entry.k3Fid !== undefined || entry.writtenAt !== undefined
      ? {
          row: {
            fid: entry.k3Fid,
            entryId: entry.k3EntryId,
            writtenAt: entry.writtenAt?.toISOString(),
            contentHash: entry.contentHash,
            fields: entry.writtenFields,
          },
        }
      : {}),
    ...(entry.sourceVersion
      ? { reconcileCommand: `npm run cli -- reconcile --from '${entry.sourceVersion}' --to '${entry.sourceVersion}'` }
      : {}),
    ...(reconcile ? { reconcile } : {}),
    ...(deadLetterLive && entry.deadLetterId
      ? { replay: { queue: replayQueue, deadLetterId: entry.deadLetterId } }
      : {}),
  };
}

/** Newest first; a call naming both the receipt and its order (its BatchSave) appears once, as the receipt's. */
function mergeCalls(receipt: ApiCallRecord[], order: ApiCallRecord[]): ReceiptRecord['calls'] {
  const seen = new Set(receipt.map((c) => JSON.stringify(c)));
  return [
    ...receipt.map((c) => ({ ...c, about: 'receipt' as const })),
    ...order.filter((c) => !seen.has(JSON.stringify(c))).map((c) => ({ ...c, about: 'order' as const })),
  ]
    .map((c) => (c.message === undefined ? c : { ...c, message: redactText(c.message) }))
    .sort((x, y) => (x.at < y.at ? 1 : x.at > y.at ? -1 : 0))
    .slice(0, 50);
}
