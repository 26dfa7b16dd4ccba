import { needsEnrichment } from '@receipt-sync/mapping';
import type { Runtime } from '../runtime';
import { redisLateWrites } from '../writer/late-writes';
import type { RehearsalDeps } from './run-rehearsal';

/** A runtime holding both API clients (the CLI's, or a long-running process's). */
export type RehearsalRuntime = Pick<Runtime, 'config' | 'connection' | 'store' | 'mapping'> & {
  okki: NonNullable<Runtime['okki']>;
  k3: NonNullable<Runtime['k3']>;
};

/**
 * What a rehearsal reads, from a process's runtime: the sync's own clients (OKKI paced by
 * XIAOMAN_MAX_RPS, K3Cloud within KINGDEE_MAX_CONCURRENCY, both shared across replicas through
 * Redis), mapping, ledger and late-write holds; its batches are the writer's size.
 */
export function rehearsalDeps(rt: RehearsalRuntime, onProgress?: (message: string) => void): RehearsalDeps {
  const enrich = rt.config.okki?.enrichBank && needsEnrichment(rt.mapping);
  return {
    source: rt.okki,
    info: enrich ? rt.okki : undefined,
    k3: rt.k3,
    ledger: rt.store.ledger,
    mapping: rt.mapping,
    lateWrites: redisLateWrites(rt.connection, rt.config.queuePrefix),
    pageSize: rt.config.okki?.pageSize ?? 100,
    batchSize: rt.config.k3cloud?.batchSize ?? 50,
    concurrency: rt.config.k3cloud?.maxConcurrency ?? 4,
    onProgress,
  };
}
