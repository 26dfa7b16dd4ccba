import type { ApiAuditSink } from '@receipt-sync/core';
import type { Logger } from '@receipt-sync/core';
import type { RedisClient } from '@receipt-sync/core';

export interface RetryOptions {
  /** HTTP attempts per logical call, the first included. Default 5. */
  attempts: number;
  /** Back-off base: attempt n waits up to baseDelayMs × 2^(n−1) (full jitter). Default 500. */
  baseDelayMs: number;
  /** Back-off ceiling (Retry-After may ask for longer and is honoured). Default 30 000. */
  maxDelayMs: number;
  /**
   * 429 answers one logical call waits out before they count as failed attempts: OKKI's per-tenant
   * limit is shared with everything else the tenant runs, so a storm says "later", not "broken"; a
   * window read that gave up on it failed the whole cycle (docs/apis/okki.md §9). Default 30.
   */
  rateLimitedWaits: number;
}

export interface OkkiClientOptions {
  /** OKKI origin, e.g. https://api-sandbox.xiaoman.cn (docs/apis/okki.md §1). */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** docs/apis/okki.md §2: receipts need the `invoices` scope. */
  scope?: 'invoices';
  /** Per HTTP attempt, headers and body included. */
  timeoutMs: number;
  /** Requests per second across every process sharing `limiterId` through `redis` (XIAOMAN_MAX_RPS). */
  maxRps: number;
  redis?: RedisClient;
  /** Shared pacer identity; default 'okki'. */
  limiterId?: string;
  audit?: ApiAuditSink;
  logger?: Logger;
  retry?: Partial<RetryOptions>;
  /** Connections kept open to OKKI; default enough for maxRps at half-second answers (connectionsFor). */
  connections?: number;
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 5, baseDelayMs: 500, maxDelayMs: 30_000, rateLimitedWaits: 30 };

export type OkkiOperation =
  'token' | 'receipt.list' | 'receipt.info' | 'webhook.register' | 'webhook.subscribe' | 'webhook.test';
