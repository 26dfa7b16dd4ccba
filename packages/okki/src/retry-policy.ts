import { AuthenticationError, isSyncError, RateLimitedError } from '@receipt-sync/core';
import type { RetryOptions } from './client-options';

/**
 * Which failures another attempt can cure: 429, 5xx, network errors, timeouts, malformed bodies
 * and business code ≥ 500 (docs/apis/okki.md §9: back off on HTTP 429/5xx or body code 429/500).
 * Every OKKI call this client makes is a read (or the idempotent token call), so re-sending is safe
 * (docs/apis/okki.md §11.2 forbids it only for POST writes). Credentials are never retried blindly.
 */
export function isRetryable(error: unknown): boolean {
  if (!isSyncError(error) || error instanceof AuthenticationError) return false;
  return error.disposition === 'transient' || error.disposition === 'rate-limited';
}

/** Full jitter: uniform in [0, min(max, base × 2^(attempt−1))]. */
export function backoffDelay(
  retry: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs'>,
  attempt: number,
  random: () => number = Math.random,
): number {
  const cap = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * cap);
}

/** How long to wait before attempt `attempt + 1`: at least what the server asked for. */
export function delayBeforeRetry(
  error: unknown,
  retry: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs'>,
  attempt: number,
  random?: () => number,
): number {
  const jitter = backoffDelay(retry, attempt, random);
  if (error instanceof RateLimitedError && error.retryAfterMs !== undefined)
    return Math.max(error.retryAfterMs, jitter);
  return jitter;
}

/** Retry-After as delta-seconds or an HTTP-date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number = Date.now()): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** A sleep that ends early (rejecting) when the client closes. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
