import { k3SessionCheck, runStageApp, startRehearsalRequests, startWriterStage } from '@receipt-sync/pipeline';
import { startReconcileRequests } from '@receipt-sync/reconcile';

/**
 * ready → K3Cloud BatchSave, grouped per sales order, read-before-write. One writer process is
 * active at a time (the writer lease); the others wait as hot standbys. The active one also answers
 * the receipt pages' reconcile requests and the dashboard's rehearsals when OKKI is configured too, so every K3Cloud call of the
 * running service shares its KINGDEE_MAX_CONCURRENCY.
 */
void runStageApp({
  name: 'writer',
  needsOkki: false,
  wantsOkki: true,
  needsK3: true,
  defaultHealthPort: 9103,
  start: async (rt) => [
    await startWriterStage(rt, {
      whileActive: rt.okki ? () => [startReconcileRequests(rt), startRehearsalRequests(rt)] : undefined,
    }),
  ],
  checks: (rt) => ({ 'k3cloud-session': k3SessionCheck(rt) }),
});
