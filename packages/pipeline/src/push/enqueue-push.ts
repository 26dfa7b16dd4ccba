import type { Queue } from 'bullmq';
import type { PushEventJob } from '../queues';
import type { ReceiptPush } from './messages';

/**
 * Adds one fetch per receipt. BullMQ deduplication with `keepLastIfActive` (bullmq
 * deduplication-options): while a fetch for the receipt waits, further events add nothing; while
 * one runs, the newest event is kept and runs after it — so a burst costs at most two fetches and
 * an edit made during a fetch is never lost.
 */
export async function enqueuePushEvents(
  queue: Queue,
  messageId: string,
  events: ReceiptPush[],
  receivedAt: Date,
): Promise<void> {
  for (const e of events) {
    const data: PushEventJob = {
      receiptId: e.receiptId,
      event: e.event,
      messageId,
      receivedAt: receivedAt.toISOString(),
    };
    await queue.add(e.event, data, { deduplication: { id: `receipt-${e.receiptId}`, keepLastIfActive: true } });
  }
}
