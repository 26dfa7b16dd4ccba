import { K3CloudFieldUnknownError, type Lane, type Logger, type ReceiptOutcome } from '@receipt-sync/core';
import {
  laneOf,
  listedVersionKey,
  recordDeadLetter,
  settleFailure,
  type OutcomeTracker,
  type PipelineJob,
  type PipelineQueues,
  type ReadyRow,
} from '../queues';
import type { WriterLedger } from './ports';
import type { RowBatcher } from './row-batcher';

export interface WriteRowDeps {
  queues: PipelineQueues;
  tracker: OutcomeTracker;
  ledger: WriterLedger;
  batcher: RowBatcher;
  logger: Logger;
  /** Long back-off while the row's sales order is locked (KINGDEE_LOCKED_ORDER_POLICY wait). */
  orderWaitDelaysMs: number[];
  /** While the metadata preflight fails: the error the job waits with (no attempt spent). */
  blocked?: () => K3CloudFieldUnknownError | undefined;
  /** K3Cloud answered "field does not exist" during work (closes the gate until the preflight passes). */
  onFieldUnknown?: (error: K3CloudFieldUnknownError) => void;
  onOutcome?: (outcome: ReceiptOutcome, detail: { receiptNo: string; code?: string }) => void;
  /** Called once K3Cloud confirmed the row (freshness is measured from here), with the row's lane. */
  onWritten?: (row: ReadyRow, confirmedAt: Date, lane: Lane) => Promise<void>;
  /** Tracing on: the active trace context, so the row's batch joins its trace. */
  traceContext?: () => string;
}

/** The ready-queue processor: hands the row to the batcher and settles the job with its result. */
export async function writeRow(
  job: PipelineJob<'ready'>,
  token: string | undefined,
  deps: WriteRowDeps,
): Promise<{ outcome: ReceiptOutcome; reason?: string; fid?: number; entryId?: number }> {
  const row = job.data;
  const versionKey = listedVersionKey(row);
  try {
    const blocked = deps.blocked?.();
    if (blocked) throw blocked;
    const lane = laneOf(job);
    const result = await deps.batcher.submit(row, false, deps.traceContext?.(), lane);
    if (result.outcome === 'written') await deps.onWritten?.(row, new Date(), lane).catch(() => undefined);
    await deps.tracker.record(versionKey, result.outcome);
    deps.onOutcome?.(result.outcome, { receiptNo: row.receiptNo });
    return result.outcome === 'written'
      ? { outcome: 'written', fid: result.fid, entryId: result.entryId }
      : { outcome: 'unchanged', reason: result.reason };
  } catch (error) {
    if (error instanceof K3CloudFieldUnknownError && !deps.blocked?.()) deps.onFieldUnknown?.(error);
    const settled = await settleFailure(job, token, error, {
      queues: deps.queues,
      tracker: deps.tracker,
      sourceQueue: 'ready',
      orderWaitDelaysMs: deps.orderWaitDelaysMs,
      versionKey,
      receiptId: row.receiptId,
      receiptNo: row.receiptNo,
      windowId: row.windowId,
      onDeadLetter: async (record) => {
        await recordDeadLetter(deps.ledger, record, row);
        deps.logger.warn(
          { receiptNo: row.receiptNo, orderId: row.orderId, fid: row.fid, code: record.code, reason: record.reason },
          `row ${record.kind}`,
        );
      },
    });
    deps.onOutcome?.(settled.outcome, { receiptNo: row.receiptNo, code: settled.code });
    return { outcome: settled.outcome, reason: settled.reason };
  }
}
