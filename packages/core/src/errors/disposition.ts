/**
 * What the pipeline should do with a failure. Every error the service raises carries one, so the
 * decision "retry, wait, or dead-letter" is made by the error's author and read in one place
 * (`decideFailure` in @receipt-sync/pipeline, queues/failure-handling.ts), never ad hoc in a processor.
 *
 * - `transient`: retry with exponential back-off and jitter.
 * - `rate-limited`: wait `retryAfterMs` without spending an attempt.
 * - `permanent`: dead-letter at once; more attempts cannot help.
 * - `ambiguous`: a write was sent and its outcome is unknown; safe to retry only through a
 *   read-before-write (the writer re-reads K3Cloud rows before saving again).
 * - `awaiting-dependency`: something this record needs does not exist yet (the sales order);
 *   retry on a long schedule, then dead-letter.
 * - `misconfigured`: our configuration does not fit the system (a mapped K3Cloud field key the
 *   tenant's metadata lacks, credentials the server refuses). No attempt can succeed until an operator fixes it, and none is wasted:
 *   wait until the metadata preflight passes again; never dead-letter for this.
 */
export type Disposition =
  'transient' | 'rate-limited' | 'permanent' | 'ambiguous' | 'awaiting-dependency' | 'misconfigured';
