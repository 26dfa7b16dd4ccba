import { UnrecoverableError, type Job } from 'bullmq';
import { isSyncError, OkkiBusinessError, type Logger } from '@receipt-sync/core';
import {
  describeIssues,
  PushEventJobSchema,
  addRawVersions,
  RawReceiptSchema,
  receiptVersionKey,
  type OutcomeTracker,
  type PipelineQueues,
  type RawReceiptJob,
} from '../queues';
import type { ReceiptHistoryRepo } from '@receipt-sync/store';
import type { ReceiptInfoSource } from '../transformer';
import type { PushState } from './push-state';

/** Raw jobs fed by push carry this instead of a window id (the writer tells push from window by it). */
export const PUSH_WINDOW_ID = 'push';

export interface PushEventDeps {
  queues: PipelineQueues;
  okki: ReceiptInfoSource;
  state: PushState;
  logger: Logger;
  /** The receipt's version history (the dashboard's receipt page): versions arriving by push are recorded there. */
  history?: Pick<ReceiptHistoryRepo, 'record'>;
  onFirstSeen?: (count: number) => void;
  /** Versions enqueued are in flight until their outcome (the stuck sweeper looks for ones that never get one). */
  tracker?: Pick<OutcomeTracker, 'recordSeen'>;
}

export type PushEventOutcome = 'enqueued' | 'gone' | 'draft';

/**
 * One push event → the receipt as OKKI has it now (active or removed: receipt/info answers both,
 * enable_flag 0 = removed, docs/apis/okki.md §6) → `raw`, under the job id polling gives that
 * version, so push and poll of one version meet as one job. A receipt OKKI no longer knows is
 * recorded and the job ends; other failures retry a few times and then leave it to the sweeper.
 */
export async function processPushEvent(
  job: Job,
  deps: PushEventDeps,
): Promise<{ outcome: PushEventOutcome; jobId?: string }> {
  const parsed = PushEventJobSchema.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`push job ${job.id}: ${describeIssues(parsed.error).join('; ')}`);
  const { receiptId, event } = parsed.data;
  let fetched: FetchedReceipt;
  try {
    fetched = await fetchReceiptJob(deps.okki, receiptId, PUSH_WINDOW_ID);
  } catch (error) {
    if (isSyncError(error) && error.disposition === 'permanent') throw new UnrecoverableError(error.message);
    throw error;
  }
  if (fetched.kind === 'gone') {
    await deps.state.recordGone(receiptId, event);
    deps.logger.warn({ receiptId, event }, 'push event for a receipt OKKI no longer returns; recorded, not retried');
    return { outcome: 'gone' };
  }
  if (fetched.kind === 'draft') {
    // Drafts are not listed by receipt/list either; the saved version will come with its own event.
    deps.logger.debug({ receiptId }, 'push event for a draft receipt; nothing to sync yet');
    return { outcome: 'draft' };
  }
  const { data, versionKey } = fetched;
  const r = data.receipt;
  const first = await deps.state.recordFirstSeen([versionKey], 'push');
  if (first > 0) deps.onFirstSeen?.(first);
  await recordPushedVersion(deps, String(r.cash_collection_id), r.update_time, data.removed);
  const jobId = await addRawJob(deps.queues, fetched);
  await deps.tracker?.recordSeen([versionKey]);
  return { outcome: 'enqueued', jobId };
}

/** A receipt as receipt/info has it now, ready to become a `raw` job; or why there is none. */
export type FetchedReceipt =
  { kind: 'gone' } | { kind: 'draft' } | { kind: 'receipt'; data: RawReceiptJob; versionKey: string };

/**
 * receipt/info → the `raw` job of the version OKKI has now (active or removed: receipt/info answers
 * both, enable_flag 0 = removed, docs/apis/okki.md §6), under the job id polling gives that version.
 * A receipt OKKI no longer knows is `gone`; a draft (enable_flag 3) is not synced. An answer that
 * fails the schema throws UnrecoverableError; OKKI errors are thrown as they are.
 */
export async function fetchReceiptJob(
  okki: ReceiptInfoSource,
  receiptId: number,
  windowId: string,
): Promise<FetchedReceipt> {
  let info: Record<string, unknown>;
  try {
    info = await okki.getReceiptInfo(receiptId);
  } catch (error) {
    if (error instanceof OkkiBusinessError && error.isNotFound) return { kind: 'gone' };
    throw error;
  }
  const flag = Number(info.enable_flag ?? 1);
  if (flag === 3) return { kind: 'draft' };
  const receipt = RawReceiptSchema.safeParse(info);
  if (!receipt.success)
    throw new UnrecoverableError(`receipt/info ${receiptId}: ${describeIssues(receipt.error).join('; ')}`);
  const removed = flag === 0;
  const r = receipt.data;
  return {
    kind: 'receipt',
    data: { windowId, removed, fetchedAt: new Date().toISOString(), receipt: r },
    versionKey: receiptVersionKey(r.cash_collection_id, r.update_time, removed),
  };
}

/**
 * Adds the fetched receipt to `raw` under the id polling gives that version (addRawVersions: the
 * same content under that id is kept, not doubled) and returns the id.
 */
export async function addRawJob(
  queues: PipelineQueues,
  fetched: Extract<FetchedReceipt, { kind: 'receipt' }>,
): Promise<string> {
  const [jobId] = await addRawVersions(queues, [
    { name: fetched.data.removed ? 'removed-receipt' : 'receipt', data: fetched.data },
  ]);
  return jobId!;
}

/** The receipt page's history is worth less than the receipt: a failure is logged, the job goes on. */
async function recordPushedVersion(deps: PushEventDeps, receiptId: string, updateTime: string, removed: boolean) {
  try {
    await deps.history?.record([{ receiptId, updateTime, removed, source: 'push' }]);
  } catch (error) {
    deps.logger.warn({ err: error, receiptId }, 'could not record the pushed version in the receipt history');
  }
}
