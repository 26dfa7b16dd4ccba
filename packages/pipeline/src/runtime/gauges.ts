import { parseChinaTime } from '@receipt-sync/core';
import { collectQueueDepths } from '@receipt-sync/core';
import { allQueues, laneBacklogs } from '../queues';
import type { Runtime } from './runtime';

/**
 * Queue depths and checkpoint lag, sampled for /metrics (and alert rules reading them). A missing
 * checkpoint is lag too: measured from the newest one this process saw (the store lost it), else
 * from SYNC_START_TIME (nothing synced yet) — never 0.
 */
export async function sampleGauges(rt: Runtime): Promise<void> {
  await collectQueueDepths(rt.metrics, allQueues(rt.queues)).catch(() => undefined);
  await sampleLanes(rt).catch(() => undefined);
  const read = await rt.store.checkpoints.get('receipts').then(
    (cp) => ({ ok: true as const, windowEnd: cp?.windowEnd }),
    () => ({ ok: false as const, windowEnd: undefined }),
  );
  if (!read.ok) return;
  const seen = rt.checkpointMemory.windowEnd;
  if (read.windowEnd && (!seen || read.windowEnd > seen)) rt.checkpointMemory.windowEnd = read.windowEnd;
  const edge = read.windowEnd ?? rt.checkpointMemory.windowEnd ?? rt.config.sync.startTime;
  const at = edge ? parseChinaTime(edge) : undefined;
  if (at) rt.metrics.checkpointLagSeconds.set(Math.max(0, Math.round((Date.now() - at.getTime()) / 1000)));
}

/** Each lane's backlog and oldest age in `raw` and `ready` (lane_backlog, lane_oldest_seconds). */
async function sampleLanes(rt: Runtime): Promise<void> {
  for (const name of ['raw', 'ready'] as const) {
    const lanes = await laneBacklogs(rt.queues[name]);
    for (const lane of ['live', 'bulk'] as const) {
      rt.metrics.laneBacklog.set({ queue: name, lane }, lanes[lane].waiting);
      rt.metrics.laneOldestSeconds.set({ queue: name, lane }, Math.round(lanes[lane].oldestSeconds));
    }
  }
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
