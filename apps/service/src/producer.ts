import { runStageApp, startProducerStage, startPushStage } from '@receipt-sync/pipeline';
import { startReconcileRequests } from '@receipt-sync/reconcile';

/**
 * Opens a sync window every SYNC_INTERVAL_SECONDS and pages OKKI receipts into `raw`; with
 * XIAOMAN_WEBHOOK_SECRET set it also turns OKKI push events (from the receiver) into `raw` jobs.
 * With K3Cloud configured too (KINGDEE_*), it answers the receipt pages' reconcile requests: the
 * dashboard holds no API client, and this is the one process that has OKKI's.
 */
void runStageApp({
  name: 'producer',
  needsOkki: true,
  needsK3: false,
  wantsK3: true,
  defaultHealthPort: 9101,
  start: async (rt) => [
    await startProducerStage(rt),
    ...(rt.config.webhook.secret ? [await startPushStage(rt)] : []),
    ...(rt.k3 ? [startReconcileRequests(rt)] : []),
  ],
});
