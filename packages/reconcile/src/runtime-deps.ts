import { needsEnrichment } from '@receipt-sync/mapping';
import type { Runtime } from '@receipt-sync/pipeline';
import type { ReconcileDeps } from './gather';

/** A runtime that holds both API clients (the CLI's, or the producer's with K3Cloud configured). */
export type ReconcileRuntime = Runtime & { okki: NonNullable<Runtime['okki']>; k3: NonNullable<Runtime['k3']> };

export interface ReconcileRunOptions {
  /** false: skip /receipt/info (one OKKI call per receipt with a row); bank fields are then not compared. */
  bank?: boolean;
  /** false: read the ledger only for the window's orders (ReconcileDeps.scanLedger). */
  scanLedger?: boolean;
  onProgress?: (message: string) => void;
}

/** Narrows a runtime to one with both clients, or undefined when either is not configured. */
export function reconcileRuntime(rt: Runtime): ReconcileRuntime | undefined {
  const { okki, k3 } = rt;
  return okki && k3 ? Object.assign(rt, { okki, k3 }) : undefined;
}

/** What `reconcile()` reads, from a process's runtime: one builder for the CLI and the request worker. */
export function reconcileDeps(rt: ReconcileRuntime, opts: ReconcileRunOptions = {}): ReconcileDeps {
  const enrich = opts.bank !== false && rt.config.okki?.enrichBank && needsEnrichment(rt.mapping);
  return {
    source: rt.okki,
    k3: rt.k3,
    ledger: rt.store.ledger,
    mapping: rt.mapping,
    info: enrich ? rt.okki : undefined,
    pageSize: rt.config.okki?.pageSize,
    scanLedger: opts.scanLedger !== false,
    onProgress: opts.onProgress,
  };
}
