import type { ReceiptInfoFailure } from './info-failures';

/**
 * Fault injection for the OKKI simulator. The object is mutable: a test changes it between (or
 * during) calls and the next request sees the change. Random decisions use the simulator's
 * seeded PRNG so a run replays identically.
 */
export type SimEndpoint = 'token' | 'receipt.list' | 'receipt.info' | 'webhook' | 'subscribe' | 'webhook.test';

export interface OkkiFaults {
  /** Delay before every response: fixed, or uniform in [minMs, maxMs]. */
  latencyMs: number | { minMs: number; maxMs: number };
  /**
   * Sliding one-second budget across all endpoints. Over it: HTTP 429
   * `{code:429,message:"Too Many Requests",now}` with Retry-After (docs/apis/okki.md §9, ASSUMPTION).
   */
  rateLimit: { maxPerSecond: number; retryAfterSeconds?: number; retryAfterFormat?: 'seconds' | 'http-date' } | null;
  /** Fraction of calls answered with a gateway-style 500/502/503 (some as HTML pages). */
  errorRate: number;
  /** Fraction of calls answered HTTP 200 `{code:500,...}` (docs/apis/okki.md §3 business error). */
  businessErrorRate: number;
  /** Fraction of calls whose body is truncated JSON or an HTML page served with HTTP 200. */
  malformedRate: number;
  /** A token serves this many data calls, then is revoked (HTTP 401 access_denied, docs/apis/okki.md §2). null = never. */
  tokenRevokeAfterCalls: number | null;
  /**
   * Right after serving list page `afterPage`, stamp update_time = now on `updateCount` receipts
   * of the window being paged (docs/apis/okki.md §4 pagination drift). Fires `times` times (default: every time).
   */
  pageDrift: { afterPage: number; updateCount: number; times?: number } | null;
  /** Receipts listed with an unusable `cash_collection_id` (null), to exercise lenient parsing. */
  corruptReceiptIds: number[];
  /** Answer the token call without `expires_in`, as the doc says client_credentials does (docs/apis/okki.md §2). */
  omitTokenExpiresIn: boolean;
  /** Endpoints hit by errorRate, businessErrorRate and malformedRate. Default: the data endpoints. */
  randomFaultEndpoints: SimEndpoint[];
  /** `receipt/info` of these receipts fails, for a number of calls or until the entry is removed. */
  receiptInfoFailures: ReceiptInfoFailure[];
}

export function defaultFaults(): OkkiFaults {
  return {
    latencyMs: 0,
    rateLimit: null,
    errorRate: 0,
    businessErrorRate: 0,
    malformedRate: 0,
    tokenRevokeAfterCalls: null,
    pageDrift: null,
    corruptReceiptIds: [],
    omitTokenExpiresIn: false,
    randomFaultEndpoints: ['receipt.list', 'receipt.info'],
    receiptInfoFailures: [],
  };
}

export function latencyFor(faults: OkkiFaults, random: () => number): number {
  const l = faults.latencyMs;
  if (typeof l === 'number') return Math.max(0, l);
  return Math.max(0, l.minMs + Math.floor(random() * (l.maxMs - l.minMs + 1)));
}

/** Sliding one-second window of request arrival times (ms, monotonic clock). */
export class SlidingSecond {
  private readonly stamps: number[] = [];

  count(nowMs: number): number {
    while (this.stamps.length > 0 && this.stamps[0]! <= nowMs - 1000) this.stamps.shift();
    return this.stamps.length;
  }

  clear(): void {
    this.stamps.length = 0;
  }

  add(nowMs: number): number {
    this.count(nowMs);
    this.stamps.push(nowMs);
    return this.stamps.length;
  }
}
