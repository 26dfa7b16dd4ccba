import { k3SessionCheck, runStageApp, startWriterStage } from '@receipt-sync/pipeline';

/** ready → K3Cloud BatchSave, grouped per sales order, read-before-write. */
void runStageApp({
  name: 'writer',
  needsOkki: false,
  needsK3: true,
  defaultHealthPort: 9103,
  start: async (rt) => [await startWriterStage(rt)],
  checks: (rt) => ({ 'k3cloud-session': k3SessionCheck(rt) }),
});
