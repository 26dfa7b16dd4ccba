import { SyncError, type SyncErrorOptions } from './sync-error';

type System = 'okki' | 'k3cloud';

/** The connection failed before any byte of the request could have been processed. */
export class NetworkError extends SyncError {
  readonly disposition = 'transient' as const;
  readonly code = 'network.failed';
  constructor(
    readonly system: System,
    message: string,
    options?: SyncErrorOptions,
  ) {
    super(`${system}: ${message}`, options);
  }
}

/** No answer within the deadline. For reads this is transient; writers wrap it in AmbiguousWriteError. */
export class RequestTimeoutError extends SyncError {
  readonly disposition = 'transient' as const;
  readonly code = 'network.timeout';
  constructor(
    readonly system: System,
    readonly timeoutMs: number,
    options?: SyncErrorOptions,
  ) {
    super(`${system}: no answer within ${timeoutMs} ms`, options);
  }
}

/** An HTTP status outside 2xx. 5xx and 408 are transient, other 4xx permanent. */
export class HttpStatusError extends SyncError {
  readonly code = 'http.status';
  readonly disposition;
  constructor(
    readonly system: System,
    readonly status: number,
    readonly bodySnippet: string,
    options?: SyncErrorOptions,
  ) {
    super(`${system}: HTTP ${status}${bodySnippet ? ` ${bodySnippet}` : ''}`, options);
    this.disposition = status >= 500 || status === 408 ? ('transient' as const) : ('permanent' as const);
  }
}

/** The server asked us to slow down (HTTP 429, OKKI body code 429, K3Cloud MsgCode 14). */
export class RateLimitedError extends SyncError {
  readonly disposition = 'rate-limited' as const;
  readonly code = 'rate-limited';
  constructor(
    readonly system: System,
    retryAfterMs: number,
    message = 'rate limited',
    options?: SyncErrorOptions,
  ) {
    super(`${system}: ${message} (retry after ${retryAfterMs} ms)`, { ...options, retryAfterMs });
  }
}

/** A body that is not what the API promises: HTML error page, truncated JSON, wrong envelope. */
export class MalformedResponseError extends SyncError {
  readonly disposition = 'transient' as const;
  readonly code = 'response.malformed';
  constructor(
    readonly system: System,
    message: string,
    options?: SyncErrorOptions,
  ) {
    super(`${system}: malformed response: ${message}`, options);
  }
}

/**
 * Credentials were rejected. No record is at fault and retrying each record only multiplies
 * logins (a tenant may lock the user): the pipeline halts — jobs wait `retryAfterMs` without
 * spending attempts, `sync:once` exits 1 — and the login alert fires until an operator fixes them.
 */
export class AuthenticationError extends SyncError {
  readonly disposition = 'misconfigured' as const;
  readonly code = 'auth.rejected';
  constructor(
    readonly system: System,
    message: string,
    options?: SyncErrorOptions,
  ) {
    super(`${system}: authentication failed: ${message}`, options);
  }
}
