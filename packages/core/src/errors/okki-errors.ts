import type { Disposition } from './disposition';
import { SyncError, type SyncErrorOptions } from './sync-error';

/**
 * OKKI answered HTTP 200 with `code` not 0/200 (docs/apis/okki.md §3). 404 and 400 are permanent for
 * that request; 500 is treated as transient; 403 (missing scope) is a configuration problem.
 */
export class OkkiBusinessError extends SyncError {
  readonly code = 'okki.business';
  readonly disposition: Disposition;
  constructor(
    readonly okkiCode: number,
    readonly okkiMessage: string,
    readonly path: string,
    options?: SyncErrorOptions,
  ) {
    super(`okki ${path}: code ${okkiCode} ${okkiMessage}`, options);
    this.disposition = okkiCode >= 500 ? 'transient' : 'permanent';
  }

  get isNotFound(): boolean {
    return this.okkiCode === 404 && /^Not Found Resource\.?$/.test(this.okkiMessage);
  }
}
