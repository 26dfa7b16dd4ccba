import { deadLetterJobId, readyJobId, type DeadLetterJob, type PipelineQueues } from '@receipt-sync/pipeline';
import type { Dataset, OkkiReceiptRecord } from '@receipt-sync/simulators';
import type { SyncStore } from '@receipt-sync/store';

const CONCURRENCY = 100;

async function inChunks<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += CONCURRENCY) await Promise.all(items.slice(i, i + CONCURRENCY).map(work));
}

function deadLetter(r: OkkiReceiptRecord, kind: 'dead-lettered' | 'quarantined', code: string, reason: string) {
  const sourceJobId = readyJobId(r.cash_collection_id, r.update_time, false);
  const record: DeadLetterJob = {
    kind,
    sourceQueue: 'ready',
    sourceJobId,
    payload: { receiptId: String(r.cash_collection_id) },
    code,
    reason,
    attemptsMade: kind === 'quarantined' ? 1 : 10,
    failedAt: new Date().toISOString(),
    receiptId: String(r.cash_collection_id),
    receiptNo: r.cash_collection_no,
    replays: 0,
  };
  return { name: kind, data: record, opts: { jobId: deadLetterJobId(sourceJobId) } };
}

/**
 * Leaves the store as the pipeline would after syncing the data set: every version recorded
 * (window), order lookups cached with their FBillNo, receipts written with their row values,
 * receipts without order quarantined and receipts whose order is missing in K3Cloud dead-lettered
 * (with their dead-letter jobs).
 */
export async function seedStore(store: SyncStore, queues: PipelineQueues, data: Dataset): Promise<void> {
  const fidByOrder = new Map(data.orders.map((o) => [o.F_Cash_Collection_Id, o.FID]));
  await inChunks(data.orders, (o) =>
    store.orders.put(o.F_Cash_Collection_Id, { fid: o.FID, billNo: o.FBillNo }, 24 * 3600_000),
  );
  for (let i = 0; i < data.receipts.length; i += 1000)
    await store.history.record(
      data.receipts.slice(i, i + 1000).map((r) => ({
        receiptId: String(r.cash_collection_id),
        updateTime: r.update_time,
        removed: false,
        source: 'window' as const,
        windowId: 'bench-window',
      })),
    );
  const dead: ReturnType<typeof deadLetter>[] = [];
  const quarantined: ReturnType<typeof deadLetter>[] = [];
  let entryId = 500_000;
  await inChunks(data.receipts, async (r) => {
    const receiptId = String(r.cash_collection_id);
    const orderId = String(r.order_id);
    const fid = fidByOrder.get(orderId);
    const base = { receiptNo: r.cash_collection_no, sourceVersion: r.update_time };
    if (r.order_id === 0) {
      const dl = deadLetter(
        r,
        'quarantined',
        'receipt.quarantined',
        `receipt ${r.cash_collection_no}: receipt has no sales order`,
      );
      quarantined.push(dl);
      await store.ledger.recordOutcome(receiptId, {
        ...base,
        status: 'quarantined',
        orderId: '',
        deadLetterId: dl.opts.jobId,
        lastError: { code: dl.data.code, message: dl.data.reason },
      });
    } else if (fid === undefined) {
      const reason = `receipt ${r.cash_collection_no}: no K3Cloud sales order with F_Cash_Collection_Id ${orderId}`;
      const dl = deadLetter(r, 'dead-lettered', 'k3cloud.order-not-found', reason);
      dead.push(dl);
      await store.ledger.recordOutcome(receiptId, {
        ...base,
        status: 'dead-lettered',
        orderId,
        deadLetterId: dl.opts.jobId,
        lastError: { code: dl.data.code, message: reason },
      });
    } else {
      await store.ledger.recordWritten({
        ...base,
        receiptId,
        orderId,
        removed: false,
        contentHash: `h-${receiptId}-${r.update_time}`,
        k3Fid: fid,
        k3EntryId: ++entryId,
        fields: {
          F_PBLH_CashCollectionNo: r.cash_collection_no,
          F_PBLH_Decimal: r.real_amount,
          F_PBLH_Currency: r.currency,
          F_PBLH_Remark: r.comment,
        },
      });
    }
  });
  for (let i = 0; i < dead.length; i += 1000) await queues['dead-letter'].addBulk(dead.slice(i, i + 1000));
  for (let i = 0; i < quarantined.length; i += 1000) await queues.quarantine.addBulk(quarantined.slice(i, i + 1000));
}
