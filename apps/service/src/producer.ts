import { runStageApp, startProducerStage } from '@receipt-sync/pipeline';

/** Opens a sync window every SYNC_INTERVAL_SECONDS and pages OKKI receipts into `raw`. */
void runStageApp({
  name: 'producer',
  needsOkki: true,
  needsK3: false,
  defaultHealthPort: 9101,
  start: async (rt) => [await startProducerStage(rt)],
});
