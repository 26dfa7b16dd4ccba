import type { ProblemWhy } from '@receipt-sync/core';
import type { Job } from 'bullmq';
import { redactText, type Translate } from '@receipt-sync/core';
import {
  DeadLetterJobSchema,
  pageDeadLetters,
  REPLAY_REFUSALS,
  type DeadLetterQueueName,
  type PipelineQueues,
} from '@receipt-sync/pipeline';

/** One row of the dead-letter view. */
export interface DeadLetterItem {
  id: string;
  kind: string;
  code: string;
  reason: string;
  receiptNo?: string;
  receiptId?: string;
  /** OKKI order_id of the receipt, from the parked payload (raw receipt or ready row). */
  orderId?: string;
  failedAt: string;
  replays: number;
  sourceQueue?: string;
  /** A quarantine's data-quality problems as catalogue keys and values (said in the page's language). */
  why?: readonly ProblemWhy[];
}

export interface DeadLetterPage {
  queue: DeadLetterQueueName;
  /** All dead letters in the queue, not just this page. */
  total: number;
  start: number;
  end: number;
  items: DeadLetterItem[];
}

/** The OKKI order id a parked payload carries: a ready row's `orderId`, a raw job's `receipt.order_id`. */
export function orderIdOf(payload: unknown): string | undefined {
  if (!payload || typeof payload !== 'object') return undefined;
  const p = payload as { orderId?: unknown; receipt?: { order_id?: unknown } };
  const id = p.orderId ?? p.receipt?.order_id;
  return (typeof id === 'string' && id !== '' && id !== '0') || (typeof id === 'number' && id > 0)
    ? String(id)
    : undefined;
}

/**
 * Job data that is not a dead-letter record (added by hand in Bull Board) still gets a row, marked
 * as such. The reason is upstream error text: it goes through the logs' scrubber (configured
 * secrets, tokens, URL credentials) before any page or API shows it.
 */
function toItem(job: Job): DeadLetterItem {
  const parsed = DeadLetterJobSchema.safeParse(job.data);
  const id = job.id ?? '?';
  if (!parsed.success) {
    return {
      id,
      kind: job.name,
      code: 'invalid',
      reason: 'not a dead-letter record (cannot be replayed)',
      failedAt: new Date(job.timestamp).toISOString(),
      replays: 0,
    };
  }
  const d = parsed.data;
  return {
    id,
    kind: d.kind,
    code: d.code,
    reason: redactText(d.reason),
    receiptNo: d.receiptNo,
    receiptId: d.receiptId,
    orderId: orderIdOf(d.payload),
    failedAt: d.failedAt,
    replays: d.replays,
    sourceQueue: d.sourceQueue,
    ...(d.why ? { why: d.why } : {}),
  };
}

/** A page of dead letters, newest first; `start`/`end` are inclusive indexes as in BullMQ. */
export async function listDeadLetters(
  queues: PipelineQueues,
  queue: DeadLetterQueueName,
  start: number,
  end: number,
): Promise<DeadLetterPage> {
  const { total, jobs } = await pageDeadLetters(queues, queue, start, end);
  return { queue, total, start, end, items: jobs.map(toItem) };
}

export interface DiscardResult {
  discarded: Array<{ id: string; receiptNo?: string; code?: string }>;
  failed: Array<{ id: string; reason: string }>;
}

/** Removes dead letters an operator decided to drop; they are gone for good (the ledger keeps the outcome). */
export async function discardDeadLetters(
  queues: PipelineQueues,
  queue: DeadLetterQueueName,
  ids: readonly string[],
): Promise<DiscardResult> {
  const q = queues[queue];
  const result: DiscardResult = { discarded: [], failed: [] };
  for (const id of ids) {
    const job = await q.getJob(id);
    if (!job) {
      result.failed.push({ id, reason: REPLAY_REFUSALS.noSuch });
      continue;
    }
    const item = toItem(job);
    try {
      await job.remove();
      result.discarded.push({ id, receiptNo: item.receiptNo, code: item.code });
    } catch (error) {
      result.failed.push({ id, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  return result;
}

const REFUSAL_KEYS: Record<string, string> = {
  [REPLAY_REFUSALS.noSuch]: 'terminal.dlq.noSuch',
  [REPLAY_REFUSALS.notRecord]: 'terminal.dlq.notRecord',
};

/** A replay's (or discard's) refusal in the reader's language; other text (Redis's own words) as it came. */
export function refusalText(reason: string, t: Translate): string {
  const key = REFUSAL_KEYS[reason];
  return key ? t(key) : reason;
}
