import type { ApiOutcome } from '@receipt-sync/core';
import {
  AmbiguousWriteError,
  HttpStatusError,
  K3CloudCallLimitError,
  K3CloudSessionLostError,
  MalformedResponseError,
  NetworkError,
  RateLimitedError,
  RequestTimeoutError,
  isSyncError,
} from '@receipt-sync/core';

/** The audit outcome of a failed HTTP call. */
export function outcomeOf(error: unknown): ApiOutcome {
  if (error instanceof AmbiguousWriteError) return 'ambiguous';
  if (error instanceof K3CloudSessionLostError) return 'session-lost';
  if (error instanceof K3CloudCallLimitError || error instanceof RateLimitedError) return 'rate-limited';
  if (error instanceof HttpStatusError) return 'http-error';
  if (error instanceof RequestTimeoutError) return 'timeout';
  if (error instanceof NetworkError) return 'network-error';
  if (error instanceof MalformedResponseError) return 'malformed';
  return isSyncError(error) ? 'business-error' : 'network-error';
}

/** Reads retry only what more attempts can fix soon; session loss has its own one re-login. */
export function isRetryableRead(error: unknown): boolean {
  return (
    isSyncError(error) &&
    error.disposition === 'transient' &&
    !(error instanceof K3CloudSessionLostError) &&
    error.code !== 'auth.rejected'
  );
}

/** Exponential back-off with full jitter in [0.5, 1.5) × base·2^(n−1), capped at 5 s. */
export function backoffMs(attempt: number, baseMs: number): number {
  return Math.min(5_000, baseMs * 2 ** (attempt - 1) * (0.5 + Math.random()));
}
