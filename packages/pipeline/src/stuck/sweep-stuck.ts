import type { Queue } from 'bullmq';
import type { Logger } from '@receipt-sync/core';
import type { LedgerEntry, LedgerRepo } from '@receipt-sync/store';
import { rawJobId, readyJobId, receiptVersionKey, type OutcomeTracker, type PipelineQueues } from '../queues';
import { addRawJob, fetchReceiptJob } from '../push/push-events';
import type { ReceiptInfoSource } from '../transformer/ports';
import { STUCK_SAMPLES, type StuckSweepReport, type StuckVersion } from './stuck-report';

/** Raw jobs re-driven by the sweeper carry this instead of a window id. */
export const STUCK_WINDOW_ID = 'stuck';

/** Candidates looked at per sweep; the rest wait for the next one (each re-drive is one receipt/info call). */
export const STUCK_SWEEP_LIMIT = 500;

export interface StuckSweepDeps {
  queues: PipelineQueues;
  tracker: Pick<OutcomeTracker, 'inFlightBefore' | 'outcomesOf' | 'forget' | 'recordSeen'>;
  ledger: Pick<LedgerRepo, 'getMany' | 'stalePending'>;
  okki: ReceiptInfoSource;
  logger: Logger;
}

/** One receipt version that may have lost its job. */
export interface VersionRef {
  receiptId: string;
  version: string;
  removed: boolean;
  /**
   * The removed flag is not known for sure (a `pending` ledger entry keeps the flag of an earlier
   * version): jobs of the version in either state count as live.
   */
  eitherState?: boolean;
}

/** States in which a BullMQ job will still be worked. */
const LIVE_STATES = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

/** `123-20250415100000-active` → its parts (job-ids.ts receiptVersionKey), or undefined. */
export function parseVersionKey(key: string): VersionRef | undefined {
  const m = /^(.+)-(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})-(active|removed)$/.exec(key);
  if (!m) return undefined;
  const [, receiptId, y, mo, d, h, mi, s, state] = m;
  return { receiptId: receiptId!, version: `${y}-${mo}-${d} ${h}:${mi}:${s}`, removed: state === 'removed' };
}

function keyOf(v: VersionRef): string {
  return receiptVersionKey(v.receiptId, v.version, v.removed);
}

/**
 * The ledger already holds this version's outcome, or a newer one: nothing is stuck. A removal with
 * the same `update_time` as the active version written is not settled by that write.
 */
export function settledByLedger(entry: LedgerEntry | undefined, v: VersionRef): boolean {
  if (!entry) return false;
  if (entry.sourceVersion > v.version) return true;
  return entry.sourceVersion === v.version && entry.status !== 'pending' && (entry.removed || !v.removed);
}

async function hasLiveJob(queue: Queue, jobId: string): Promise<boolean> {
  return LIVE_STATES.has(await queue.getJobState(jobId));
}

/**
 * A job under this id that ended, or whose entry in the queue's lists was lost while its data
 * survived (state `unknown`), would swallow the re-queued one: a duplicate id is ignored while retained.
 */
async function removeEnded(queue: Queue, jobId: string): Promise<void> {
  const state = await queue.getJobState(jobId);
  if (state === 'completed' || state === 'failed' || state === 'unknown') await queue.remove(jobId);
}

/** The version still has a job that will be worked, in `raw` or in `ready`. */
export async function versionHasLiveJob(queues: PipelineQueues, v: VersionRef): Promise<boolean> {
  for (const removed of v.eitherState ? [false, true] : [v.removed]) {
    if (await hasLiveJob(queues.raw, rawJobId(v.receiptId, v.version, removed))) return true;
    if (await hasLiveJob(queues.ready, readyJobId(v.receiptId, v.version, removed))) return true;
  }
  return false;
}

/**
 * Fetches the receipt from OKKI again (the version OKKI has now, which may be newer) and adds it to
 * `raw` as the push worker does, after removing ended jobs under its ids so the add is not ignored.
 */
export async function redriveVersion(deps: StuckSweepDeps, v: VersionRef): Promise<StuckVersion> {
  const log = deps.logger.child({ receiptId: v.receiptId, version: v.version, removed: v.removed });
  try {
    const fetched = await fetchReceiptJob(deps.okki, Number(v.receiptId), STUCK_WINDOW_ID);
    if (fetched.kind !== 'receipt') {
      log.error(
        { okki: fetched.kind },
        fetched.kind === 'gone'
          ? 'stuck receipt: OKKI no longer returns it; nothing re-queued (check it in OKKI and K3Cloud)'
          : 'stuck receipt: OKKI now has it as a draft; nothing re-queued until it is saved again',
      );
      await deps.tracker.forget([keyOf(v)]);
      return { receiptId: v.receiptId, version: v.version, removed: v.removed, result: fetched.kind };
    }
    const { receipt, removed } = fetched.data;
    await removeEnded(deps.queues.raw, rawJobId(receipt.cash_collection_id, receipt.update_time, removed));
    await removeEnded(deps.queues.ready, readyJobId(receipt.cash_collection_id, receipt.update_time, removed));
    const jobId = await addRawJob(deps.queues, fetched);
    // In flight again from now: looked at again only after another SYNC_STUCK_SECONDS.
    await deps.tracker.recordSeen([fetched.versionKey], { restart: true });
    if (fetched.versionKey !== keyOf(v)) await deps.tracker.forget([keyOf(v)]);
    log.warn(
      { requeued: jobId, okkiVersion: receipt.update_time },
      'stuck receipt: seen but never finished and no job left for it (lost by Redis?); fetched from OKKI again and re-queued',
    );
    return { receiptId: v.receiptId, version: v.version, removed: v.removed, result: 'redriven' };
  } catch (error) {
    log.error({ err: error }, 'stuck receipt: fetching it from OKKI again failed; the next sweep tries again');
    return { receiptId: v.receiptId, version: v.version, removed: v.removed, result: 'failed' };
  }
}

/**
 * Of these versions, those with neither an outcome (ledger, or the tracker for versions it saw) nor
 * a live job are stuck: each is re-driven. Settled ones leave the tracker's in-flight set.
 */
export async function redriveUnsettled(
  deps: StuckSweepDeps,
  versions: readonly VersionRef[],
  /** Versions whose tracker outcome counts as settled (the tracker's own candidates, not stale ledger entries). */
  trackerSettles: ReadonlySet<string> = new Set(),
): Promise<StuckVersion[]> {
  const entries = await deps.ledger.getMany(versions.map((v) => v.receiptId));
  const outcomes = await deps.tracker.outcomesOf([...trackerSettles]);
  const settled: string[] = [];
  const stuck: StuckVersion[] = [];
  for (const v of versions) {
    const key = keyOf(v);
    if (settledByLedger(entries.get(v.receiptId), v) || outcomes.get(key) !== undefined) {
      settled.push(key);
      continue;
    }
    if (await versionHasLiveJob(deps.queues, v)) continue;
    stuck.push(await redriveVersion(deps, v));
  }
  await deps.tracker.forget(settled);
  return stuck;
}

/**
 * One sweep: versions seen before `now − stuckMs` still without an outcome (tracker), and ledger
 * entries `pending` since before then; those with no live job are fetched again and re-queued.
 */
export async function sweepStuckReceipts(
  deps: StuckSweepDeps,
  opts: { stuckMs: number; now?: Date; limit?: number },
): Promise<StuckSweepReport> {
  const now = opts.now ?? new Date();
  const cutoff = new Date(now.getTime() - opts.stuckMs);
  const limit = opts.limit ?? STUCK_SWEEP_LIMIT;
  const seenKeys = await deps.tracker.inFlightBefore(cutoff, limit);
  const candidates = new Map<string, VersionRef>();
  const unreadable: string[] = [];
  for (const key of seenKeys) {
    const v = parseVersionKey(key);
    if (v) candidates.set(key, v);
    else unreadable.push(key);
  }
  await deps.tracker.forget(unreadable);
  const trackerSettles = new Set(candidates.keys());
  for (const e of await deps.ledger.stalePending(cutoff, limit)) {
    // An entry without a version (never reached the transformer) names no job to look for.
    if (e.sourceVersion === '') continue;
    const v: VersionRef = { receiptId: e.receiptId, version: e.sourceVersion, removed: e.removed, eitherState: true };
    trackerSettles.delete(keyOf(v));
    candidates.set(keyOf(v), v);
  }
  const stuck = await redriveUnsettled(deps, [...candidates.values()], trackerSettles);
  return {
    at: now.toISOString(),
    stuckSeconds: Math.round(opts.stuckMs / 1000),
    stuck: stuck.length,
    redriven: stuck.filter((s) => s.result === 'redriven').length,
    samples: stuck.slice(0, STUCK_SAMPLES),
  };
}
