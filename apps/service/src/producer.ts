import { runStageApp, startProducerStage, startPushStage } from '@receipt-sync/pipeline';

/**
 * Opens a sync window every SYNC_INTERVAL_SECONDS and pages OKKI receipts into `raw`; with
 * XIAOMAN_WEBHOOK_SECRET set it also turns OKKI push events (from the receiver) into `raw` jobs.
 */
void runStageApp({
  name: 'producer',
  needsOkki: true,
  needsK3: false,
  defaultHealthPort: 9101,
  start: async (rt) => [await startProducerStage(rt), ...(rt.config.webhook.secret ? [await startPushStage(rt)] : [])],
});
