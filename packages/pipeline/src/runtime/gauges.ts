import { parseChinaTime } from '@receipt-sync/core';
import { collectQueueDepths } from '@receipt-sync/core';
import type { Runtime } from './runtime';

/** Queue depths and checkpoint lag, sampled for /metrics (and alert rules reading them). */
export async function sampleGauges(rt: Runtime): Promise<void> {
  await collectQueueDepths(rt.metrics, Object.values(rt.queues)).catch(() => undefined);
  const checkpoint = await rt.store.checkpoints.get('receipts').catch(() => undefined);
  const at = checkpoint ? parseChinaTime(checkpoint.windowEnd) : undefined;
  if (at) rt.metrics.checkpointLagSeconds.set(Math.max(0, Math.round((Date.now() - at.getTime()) / 1000)));
}

/**
 * Readiness of K3Cloud for the writer: a one-row query proves the session (or a re-login) works.
 * Cached so a probe every few seconds does not become load on the ERP.
 */
export function k3SessionCheck(rt: Runtime, cacheMs = 30_000): () => Promise<void> {
  let last = 0;
  let lastError: unknown;
  return async () => {
    // Refused credentials: say so at once, without a call (the login gate decides when to retry).
    const refused = rt.k3!.loginRefused();
    if (refused) throw refused;
    if (Date.now() - last < cacheMs) {
      if (lastError) throw lastError;
      return;
    }
    last = Date.now();
    try {
      await rt.k3!.executeBillQuery({ formId: rt.mapping.formId, fieldKeys: 'FID', filterString: 'FID = 0', limit: 1 });
      lastError = undefined;
    } catch (error) {
      lastError = error;
      throw error;
    }
  };
}
