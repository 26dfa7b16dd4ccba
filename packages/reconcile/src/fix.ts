import { describeIssues, RawReceiptJobSchema, rawJobId, readyJobId } from '@receipt-sync/pipeline';
import type { Finding, FindingCategory, LedgerView, ReconcileReport } from './types';
import { because, type Why } from './reasons';

/** Categories `--fix` repairs by sending the receipt through the pipeline again. */
export const FIXABLE_CATEGORIES: readonly FindingCategory[] = ['missing', 'stale', 'removed-not-flagged'];

/** The BullMQ calls the fix makes (the pipeline's queues fit). */
export interface FixQueues {
  raw: { add(name: string, data: unknown, opts: { jobId: string }): Promise<unknown> };
  ready: {
    getJob(id: string): Promise<{ getState(): Promise<string>; remove(): Promise<void> } | undefined | null>;
  };
}

export interface FixLedger {
  get(receiptId: string): Promise<LedgerView | undefined>;
  recordOutcome(receiptId: string, patch: { status: 'pending'; sourceVersion: string }): Promise<void>;
}

export interface FixDeps {
  queues: FixQueues;
  ledger: FixLedger;
  now?: () => Date;
}

export interface FixResult {
  enqueued: Array<{ receiptId: string; receiptNo: string; jobId: string; categories: FindingCategory[] }>;
  skipped: Array<{ receiptId?: string; receiptNo: string; reason: string; why?: Why }>;
  /** Findings a person must resolve (duplicated rows are never deleted automatically). */
  leftForHumans: number;
}

/**
 * Re-enqueues the receipts of missing / stale / removed-not-flagged findings as fresh raw jobs
 * (id suffix `-reconcile<ms>`, so BullMQ's job-id dedup does not swallow them). It never deletes or
 * edits K3Cloud rows: duplicated, extra and ledger-mismatch findings are left for a person.
 *
 * The pipeline skips a version it believes written (ledger `written` + same version or same hash,
 * and a retained ready job with the same deterministic id), so for each receipt this first drops
 * the finished ready job of that version and marks the ledger entry `pending` again.
 */
export async function fixReconcile(deps: FixDeps, report: Pick<ReconcileReport, 'findings'>): Promise<FixResult> {
  const now = (deps.now ?? (() => new Date()))();
  const stamp = now.getTime();
  const result: FixResult = { enqueued: [], skipped: [], leftForHumans: 0 };
  const groups = new Map<string, { finding: Finding; categories: FindingCategory[] }>();
  for (const f of report.findings) {
    if (!FIXABLE_CATEGORIES.includes(f.category)) {
      result.leftForHumans += 1;
      continue;
    }
    if (!f.source || !f.receiptId) {
      result.skipped.push({
        receiptId: f.receiptId,
        receiptNo: f.receiptNo,
        ...because('noSource'),
      });
      continue;
    }
    const group = groups.get(f.receiptId);
    if (group) group.categories.push(f.category);
    else groups.set(f.receiptId, { finding: f, categories: [f.category] });
  }
  for (const { finding, categories } of groups.values()) {
    const outcome = await requeue(deps, finding, now, stamp);
    if ('reason' in outcome)
      result.skipped.push({ receiptId: finding.receiptId, receiptNo: finding.receiptNo, ...outcome });
    else
      result.enqueued.push({
        receiptId: finding.receiptId!,
        receiptNo: finding.receiptNo,
        jobId: outcome.jobId,
        categories,
      });
  }
  return result;
}

async function requeue(
  deps: FixDeps,
  finding: Finding,
  now: Date,
  stamp: number,
): Promise<{ jobId: string } | { reason: string; why: Why }> {
  const { receipt, removed } = finding.source!;
  const parsed = RawReceiptJobSchema.safeParse({
    windowId: `reconcile-${stamp}`,
    removed,
    fetchedAt: now.toISOString(),
    receipt,
  });
  if (!parsed.success) return because('invalidJob', { issues: describeIssues(parsed.error).join('; ') });
  const job = parsed.data;
  const receiptId = String(job.receipt.cash_collection_id);
  const version = job.receipt.update_time;

  const entry = await deps.ledger.get(receiptId);
  if (entry && entry.sourceVersion > version) {
    return because('newerVersion', { version: entry.sourceVersion });
  }
  if (removed && entry?.k3Fid === undefined) {
    // the transformer: a removed receipt the ledger never wrote is skipped, never flagged
    return because('removedNoRow', { entryId: finding.entryId ?? '?', fid: finding.fid ?? '?' });
  }
  const previous = await deps.queues.ready.getJob(readyJobId(receiptId, version, removed));
  if (previous) {
    const state = await previous.getState();
    if (state !== 'completed' && state !== 'failed') return because('queued', { state });
    await previous.remove();
  }
  if (entry?.status === 'written')
    await deps.ledger.recordOutcome(receiptId, { status: 'pending', sourceVersion: version });
  const jobId = `${rawJobId(receiptId, version, removed)}-reconcile${stamp}`;
  await deps.queues.raw.add(removed ? 'removed-receipt' : 'receipt', job, { jobId });
  return { jobId };
}
