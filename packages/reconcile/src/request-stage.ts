import { OkkiBusinessError } from '@receipt-sync/core';
import { startWorker, type RunningStage, type Runtime } from '@receipt-sync/pipeline';
import { reconcileReceipt } from './receipt-request';
import { reconcileDeps, reconcileRuntime } from './runtime-deps';

/**
 * Works the `reconcile` queue: the receipt pages' "Reconcile this receipt" requests, one at a time
 * (each reads OKKI and K3Cloud; an operator's request is not worth crowding the sync). Runs in a
 * process with both API clients: the producer when K3Cloud is configured too, and `npm start`.
 */
export function startReconcileRequests(rt: Runtime): RunningStage {
  const full = reconcileRuntime(rt);
  if (!full) throw new Error('reconcile requests need both an OKKI and a K3Cloud client');
  const deps = {
    reconcile: reconcileDeps(full),
    fix: { queues: rt.queues, ledger: rt.store.ledger },
    currentVersion: async (receiptId: string) => {
      try {
        const info = await full.okki.getReceiptInfo(Number(receiptId));
        return typeof info.update_time === 'string' ? info.update_time : undefined;
      } catch (error) {
        if (error instanceof OkkiBusinessError && error.isNotFound) return undefined;
        throw error;
      }
    },
  };
  const worker = startWorker(
    rt,
    'reconcile',
    async (job) => {
      const request = job.data;
      const log = { receiptId: request.receiptId, fix: request.fix, operator: request.requestedBy };
      rt.logger.info(log, `reconciling receipt ${request.receiptNo || request.receiptId} on request`);
      const result = await reconcileReceipt(deps, request);
      rt.logger.info(
        { ...log, findings: result.findings.length, enqueued: result.fix?.enqueued.length ?? 0 },
        `receipt ${request.receiptNo || request.receiptId} reconciled: ${result.clean ? 'clean' : `${result.findings.length} finding(s)`}`,
      );
      return result;
    },
    1,
  );
  worker.on('failed', (job, err) => {
    if (job && job.attemptsMade >= (job.opts.attempts ?? 1))
      rt.logger.warn({ err, jobId: job.id }, 'a reconcile request failed; the receipt page shows why');
  });
  return { workers: [worker], close: () => worker.close() };
}
