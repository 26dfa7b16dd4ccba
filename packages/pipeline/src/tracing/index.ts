import type { TracedSystem } from './http-spans';
import type { Tracing } from './types';

export type { ReceiptSpanAttributes, Tracing } from './types';
export type { TracedSystem } from './http-spans';
export { traceIdFromMetadata } from './trace-context';

let started: Tracing | undefined;

/**
 * The process's tracing, started once (the supervisor's stages share it). Without an OTLP endpoint
 * it returns undefined and loads nothing: the SDK module is imported only here, on demand.
 */
export async function startTracing(opts: {
  /** Config.tracing: an OTLP endpoint is set. */
  enabled: boolean;
  serviceName: string;
  systems: readonly TracedSystem[];
}): Promise<Tracing | undefined> {
  if (!opts.enabled) return undefined;
  if (!started) {
    const { startSdk } = await import('./sdk');
    started ??= startSdk({ serviceName: opts.serviceName, systems: opts.systems });
  }
  return started;
}
