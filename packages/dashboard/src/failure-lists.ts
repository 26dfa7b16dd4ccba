import type { ProblemWhy } from '@receipt-sync/core';
import { z } from 'zod';
import { parseChinaTime, redactText } from '@receipt-sync/core';
import type { DeadLetterQueueName, PipelineQueues } from '@receipt-sync/pipeline';
import type { LedgerEntry, SyncStore } from '@receipt-sync/store';
import { listDeadLetters, type DeadLetterItem } from './dead-letters';

/** Rows per page of the dead-letter and quarantine lists. */
export const FAILURES_PAGE_SIZE = 50;

const day = z.preprocess(
  (v) => (v === '' ? undefined : v),
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD (China date)')
    .optional(),
);
const text = z.preprocess((v) => (typeof v === 'string' ? v.trim() || undefined : v), z.string().max(200).optional());

/** Query of `/dead-letters` and `/api/failures`. */
export const FailureQuerySchema = z.object({
  queue: z.enum(['dead-letter', 'quarantine']).default('dead-letter'),
  code: text,
  order: text,
  from: day,
  to: day,
  page: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(1).max(1_000_000).default(1)),
});
export type FailureFilter = z.output<typeof FailureQuerySchema>;

/** One row of a dead-letter or quarantine list, from the queue itself or from the ledger's index. */
export interface FailureRow {
  deadLetterId?: string;
  receiptId?: string;
  receiptNo?: string;
  orderId?: string;
  code: string;
  reason: string;
  failedAt: string;
  replays?: number;
  /** A quarantine's data-quality problems as catalogue keys and values (said in the page's language). */
  why?: readonly ProblemWhy[];
}

export interface FailureList {
  queue: DeadLetterQueueName;
  filter: FailureFilter;
  /** Exact number of rows matching the filter. */
  total: number;
  page: number;
  pageSize: number;
  rows: FailureRow[];
  /** `queue`: every job in the queue (unfiltered); `ledger`: receipts currently failed, filtered by index. */
  source: 'queue' | 'ledger';
}

export function isFiltered(f: FailureFilter): boolean {
  return f.code !== undefined || f.order !== undefined || f.from !== undefined || f.to !== undefined;
}

function fromItem(d: DeadLetterItem): FailureRow {
  return {
    deadLetterId: d.id,
    receiptId: d.receiptId,
    receiptNo: d.receiptNo,
    orderId: d.orderId,
    code: d.code,
    reason: d.reason,
    failedAt: d.failedAt,
    replays: d.replays,
    ...(d.why ? { why: d.why } : {}),
  };
}

function fromEntry(e: LedgerEntry): FailureRow {
  return {
    deadLetterId: e.deadLetterId,
    receiptId: e.receiptId,
    receiptNo: e.receiptNo,
    orderId: e.orderId,
    code: e.lastError?.code ?? '',
    // Upstream error text: through the logs' scrubber, like the queue's own reasons (dead-letters.ts).
    reason: redactText(e.lastError?.message ?? ''),
    failedAt: (e.failedAt ?? e.updatedAt).toISOString(),
    ...(e.lastError?.why ? { why: e.lastError.why } : {}),
  };
}

/** The last millisecond of a China date. */
function endOfDay(date: string | undefined): Date | undefined {
  const start = date === undefined ? undefined : parseChinaTime(`${date} 00:00:00`);
  return start && new Date(start.getTime() + 86_400_000 - 1);
}

/**
 * A page of one list. Unfiltered, it pages the BullMQ queue itself (every dead letter, exact count
 * from BullMQ). Filtered by code, order or date, it pages the ledger's failure index (exact counts
 * kept on write): the receipts currently dead-lettered or quarantined.
 */
export async function failureList(
  src: { queues: PipelineQueues; store: SyncStore },
  filter: FailureFilter,
): Promise<FailureList> {
  const offset = (filter.page - 1) * FAILURES_PAGE_SIZE;
  const common = { queue: filter.queue, filter, page: filter.page, pageSize: FAILURES_PAGE_SIZE };
  if (!isFiltered(filter)) {
    const page = await listDeadLetters(src.queues, filter.queue, offset, offset + FAILURES_PAGE_SIZE - 1);
    return { ...common, total: page.total, rows: page.items.map(fromItem), source: 'queue' };
  }
  const result = await src.store.ledger.failures({
    status: filter.queue === 'quarantine' ? 'quarantined' : 'dead-lettered',
    code: filter.code,
    orderId: filter.order,
    from: filter.from === undefined ? undefined : parseChinaTime(`${filter.from} 00:00:00`),
    to: endOfDay(filter.to),
    offset,
    limit: FAILURES_PAGE_SIZE,
  });
  return { ...common, total: result.total, rows: result.entries.map(fromEntry), source: 'ledger' };
}
