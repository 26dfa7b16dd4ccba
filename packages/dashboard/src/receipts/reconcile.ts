import { redactText } from '@receipt-sync/core';
import {
  reconcileJobId,
  ReconcileResultSchema,
  type PipelineQueues,
  type ReconcileRequest,
  type ReconcileResult,
} from '@receipt-sync/pipeline';
import type { LedgerEntry } from '@receipt-sync/store';

/** A request nobody took within this has no process to run it (the producer needs both APIs' settings). */
export const UNATTENDED_AFTER_MS = 60_000;

/** The receipt's latest reconcile request, as the receipt page and `/api/receipts/:key` show it. */
export interface ReconcileState {
  jobId: string;
  state: 'waiting' | 'active' | 'completed' | 'failed';
  fix: boolean;
  window: { from: string; to: string };
  requestedAt: string;
  requestedBy?: string;
  finishedAt?: string;
  /** Completed: what reconcile found for this receipt and what the fix did. */
  result?: ReconcileResult;
  /** Failed (after its attempts), waiting for a retry, or a result that could not be read. */
  error?: string;
  /** Waiting for more than UNATTENDED_AFTER_MS without any attempt: no process takes reconcile requests. */
  unattended?: boolean;
  waitingSeconds?: number;
}

const RUNNING = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

/** Undefined when no request is retained for the receipt. */
export async function reconcileState(
  queues: PipelineQueues,
  receiptId: string,
  now = Date.now(),
): Promise<ReconcileState | undefined> {
  // State first, then the job: a job read while active and found failed a moment later would lack
  // its finish time and reason.
  const raw = await queues.reconcile.getJobState(reconcileJobId(receiptId));
  if (raw !== 'completed' && raw !== 'failed' && !RUNNING.has(raw)) return undefined;
  const job = await queues.reconcile.getJob(reconcileJobId(receiptId));
  if (!job) return undefined;
  const base = {
    jobId: job.id ?? reconcileJobId(receiptId),
    fix: job.data.fix,
    window: job.data.window,
    requestedAt: job.data.requestedAt,
    requestedBy: job.data.requestedBy,
  };
  if (raw === 'completed') {
    const result = ReconcileResultSchema.safeParse(job.returnvalue);
    const finishedAt = job.finishedOn ? new Date(job.finishedOn).toISOString() : undefined;
    return result.success
      ? { ...base, state: 'completed', finishedAt, result: result.data }
      : { ...base, state: 'completed', finishedAt, error: 'the result could not be read' };
  }
  if (raw === 'failed') {
    const finishedAt = job.finishedOn ? new Date(job.finishedOn).toISOString() : undefined;
    return { ...base, state: 'failed', finishedAt, error: redactText(job.failedReason || 'failed') };
  }
  if (raw === 'active') return { ...base, state: 'active' };
  // A job waiting for its retry was taken once: a process is there; the page says why it retries.
  const waitedMs = now - job.timestamp;
  const unattended = job.attemptsMade === 0 && waitedMs > UNATTENDED_AFTER_MS;
  const retry =
    job.attemptsMade > 0
      ? { error: `attempt ${job.attemptsMade} failed, retrying: ${redactText(job.failedReason)}` }
      : {};
  return { ...base, state: 'waiting', unattended, waitingSeconds: Math.max(0, Math.round(waitedMs / 1000)), ...retry };
}

export type ReconcileAsk =
  { kind: 'queued'; jobId: string } | { kind: 'running'; jobId: string } | { kind: 'no-version' };

/**
 * Queues "reconcile this receipt" for the ledger's version of it. One request per receipt at a
 * time: a finished one is removed first (the new answer replaces it), one still waiting or running
 * is left alone.
 */
export async function requestReconcile(
  queues: PipelineQueues,
  entry: Pick<LedgerEntry, 'receiptId' | 'receiptNo' | 'sourceVersion'>,
  opts: { fix: boolean; operator: string },
): Promise<ReconcileAsk> {
  if (!entry.sourceVersion) return { kind: 'no-version' };
  const jobId = reconcileJobId(entry.receiptId);
  const previous = await queues.reconcile.getJob(jobId);
  if (previous) {
    const state = await previous.getState();
    if (RUNNING.has(state)) return { kind: 'running', jobId };
    if (state === 'completed' || state === 'failed') await previous.remove();
  }
  const request: ReconcileRequest = {
    receiptId: entry.receiptId,
    receiptNo: entry.receiptNo,
    window: { from: entry.sourceVersion, to: entry.sourceVersion },
    fix: opts.fix,
    requestedAt: new Date().toISOString(),
    requestedBy: opts.operator,
  };
  await queues.reconcile.add('reconcile', request, { jobId });
  // Two operators at the same instant: BullMQ keeps the first job under the id; the other asked too late.
  const stored = await queues.reconcile.getJob(jobId);
  if (stored && stored.data.requestedAt !== request.requestedAt) return { kind: 'running', jobId };
  return { kind: 'queued', jobId };
}
