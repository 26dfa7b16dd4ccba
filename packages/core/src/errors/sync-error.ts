import type { Disposition } from './disposition';

export interface SyncErrorOptions {
  cause?: unknown;
  /** Machine-readable facts for logs and dead-letter records. Never put secrets here. */
  details?: Record<string, unknown>;
  retryAfterMs?: number;
}

/**
 * Base of every error the service raises on purpose. `code` is stable and machine-readable
 * (`okki.business`, `k3cloud.session-lost`, ...), `message` is for people.
 */
export abstract class SyncError extends Error {
  abstract readonly disposition: Disposition;
  abstract readonly code: string;
  readonly details: Record<string, unknown>;
  readonly retryAfterMs?: number;

  constructor(message: string, options: SyncErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.details = options.details ?? {};
    this.retryAfterMs = options.retryAfterMs;
    Object.setPrototypeOf(this, new.target.prototype);
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      disposition: this.disposition,
      message: this.message,
      details: this.details,
      ...(this.retryAfterMs === undefined ? {} : { retryAfterMs: this.retryAfterMs }),
    };
  }
}

/**
 * Structural check: `instanceof` fails when two copies of this package end up bundled
 * (trigger.dev's `isXError()` helpers exist for the same reason).
 */
export function isSyncError(value: unknown): value is SyncError {
  return (
    value instanceof Error &&
    typeof (value as Partial<SyncError>).disposition === 'string' &&
    typeof (value as Partial<SyncError>).code === 'string'
  );
}

/** The code of any error, `unknown` when it is not one of ours. */
export function errorCode(value: unknown): string {
  return isSyncError(value) ? value.code : 'unknown';
}

/** A short, single-line description safe to show operators. */
export function describeError(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  return String(value);
}
