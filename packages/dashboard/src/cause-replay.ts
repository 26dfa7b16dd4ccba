import { replayDeadLetters, type PipelineQueues, type ReplayResult } from '@receipt-sync/pipeline';
import type { SyncStore } from '@receipt-sync/store';

export interface CauseReplayResult extends ReplayResult {
  /** Receipts of the cause that sit in no dead-letter queue (still retrying, or their dead letter was discarded). */
  notReplayable: number;
}

const PAGE = 500;

/**
 * Replays every dead letter of one cause: pages through the cause's receipts (index, newest first)
 * and replays those dead-lettered or quarantined through the same replay as the buttons, so each
 * becomes a new job with all its attempts.
 */
export async function replayCause(
  src: { queues: PipelineQueues; store: SyncStore },
  cause: string,
): Promise<CauseReplayResult> {
  const ids: Record<'dead-letter' | 'quarantine', string[]> = { 'dead-letter': [], quarantine: [] };
  let notReplayable = 0;
  for (let offset = 0; ; offset += PAGE) {
    const page = await src.store.ledger.causeEntries(cause, { offset, limit: PAGE });
    for (const e of page.entries) {
      if (e.deadLetterId === undefined) notReplayable += 1;
      else if (e.status === 'quarantined') ids.quarantine.push(e.deadLetterId);
      else if (e.status === 'dead-lettered') ids['dead-letter'].push(e.deadLetterId);
      else notReplayable += 1;
    }
    if (page.entries.length < PAGE) break;
  }
  const result: CauseReplayResult = { replayed: [], failed: [], notReplayable };
  for (const queue of ['dead-letter', 'quarantine'] as const) {
    for (let i = 0; i < ids[queue].length; i += 1000) {
      const r = await replayDeadLetters(src.queues, queue, { ids: ids[queue].slice(i, i + 1000) });
      result.replayed.push(...r.replayed);
      result.failed.push(...r.failed);
    }
  }
  return result;
}
