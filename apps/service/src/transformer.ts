import { runStageApp, startTransformerStage } from '@receipt-sync/pipeline';

/** raw → ready: validate, enrich with bank details, map, resolve the sales order. */
void runStageApp({
  name: 'transformer',
  needsOkki: true,
  needsK3: true,
  defaultHealthPort: 9102,
  start: async (rt) => [await startTransformerStage(rt)],
});
