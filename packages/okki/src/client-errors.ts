import { AuthenticationError, SyncError, type SyncErrorOptions } from '@receipt-sync/core';

/**
 * The list kept shifting under the reader (docs/apis/okki.md §4 pagination drift) and a consistent
 * pass of the window could not be completed within the restart budget. Transient: a later run
 * re-reads the same window.
 */
export class WindowUnstableError extends SyncError {
  readonly disposition = 'transient' as const;
  readonly code = 'okki.window-unstable';
  constructor(
    readonly startTime: string,
    readonly endTime: string,
    readonly restarts: number,
    reason: string,
    options?: SyncErrorOptions,
  ) {
    super(
      `okki receipt list for [${startTime}, ${endTime}] kept drifting after ${restarts} restarts (${reason})`,
      options,
    );
  }
}

/**
 * HTTP 401 or body error=access_denied on a data call (docs/apis/okki.md §2 [INTEG]): the token is
 * dead. The client refreshes once and retries; a second refusal surfaces as this error.
 */
export class TokenRejectedError extends AuthenticationError {
  constructor(message = 'access token refused (access_denied)', options?: SyncErrorOptions) {
    super('okki', message, options);
  }
}
