import type { SimEndpoint } from './faults';

export interface SimRequestLogEntry {
  /** Wall-clock ms when the request arrived. */
  atMs: number;
  endpoint: SimEndpoint | 'other';
  status: number;
}

export interface OkkiSimulatorStats {
  requests: Record<SimEndpoint | 'other', number>;
  /** HTTP 429 answers served. */
  rateLimited: number;
  /** New tokens minted (a re-request answered with the live token does not count). */
  tokensIssued: number;
  /** Highest number of requests that arrived within any one-second span. */
  maxObservedRps: number;
  /** HTTP 401 answers served. */
  unauthorized: number;
  serverErrors: number;
  businessErrors: number;
  malformed: number;
  driftEvents: number;
  /** The last 10 000 requests, oldest first. */
  log: SimRequestLogEntry[];
}

export function emptyStats(): OkkiSimulatorStats {
  return {
    requests: {
      token: 0,
      'receipt.list': 0,
      'receipt.info': 0,
      webhook: 0,
      subscribe: 0,
      'webhook.test': 0,
      other: 0,
    },
    rateLimited: 0,
    tokensIssued: 0,
    maxObservedRps: 0,
    unauthorized: 0,
    serverErrors: 0,
    businessErrors: 0,
    malformed: 0,
    driftEvents: 0,
    log: [],
  };
}

export function resetStats(stats: OkkiSimulatorStats): void {
  Object.assign(stats, emptyStats());
}
