/**
 * Every state key lives under `${prefix}:state:` (prefix = QUEUE_PREFIX), so two deployments with
 * different prefixes never see each other's state (docs/operations.md#configuration) and BullMQ's own
 * `${prefix}:<queue>:…` keys never collide with ours.
 */
export function stateKeys(prefix: string) {
  const base = `${prefix}:state:`;
  return {
    base,
    checkpoint: (stream: string) => `${base}checkpoint:${stream}`,
    window: (id: string) => `${base}window:${id}`,
    /** Sorted set: window id scored by `startedAt` (ms). */
    windowsByStart: `${base}windows`,
    ledgerEntry: (receiptId: string) => `${base}ledger:entry:${receiptId}`,
    /** Sorted sets with score 0, so members sort by receiptId and page with ZRANGEBYLEX. */
    ledgerAll: `${base}ledger:all`,
    ledgerStatus: (status: string) => `${base}ledger:status:${status}`,
    ledgerOrder: (orderId: string) => `${base}ledger:order:${orderId}`,
    /** Sorted set: receiptIds whose status is `pending`, scored by `updatedAt` (ms): the stuck sweeper's query. */
    ledgerPendingSince: `${base}ledger:pending-since`,
    /** Sorted set: receiptIds carrying a `lastError`, scored by its time (ms). */
    ledgerErrors: `${base}ledger:errors`,
    /** Sorted set (score 0): receiptIds carrying this OKKI receipt number (one, normally). */
    ledgerReceiptNo: (receiptNo: string) => `${base}ledger:no:${receiptNo}`,
    /** Sorted set: receiptIds currently failing for this cause, scored by error time (ms). */
    ledgerCause: (cause: string) => `${base}ledger:cause:${cause}`,
    /** Hash: cause id → JSON { code, template }. */
    ledgerCauses: `${base}ledger:causes`,
    /** Sorted sets: dead-lettered / quarantined receiptIds (all, and per error code) scored by `failedAt` (ms). */
    ledgerFailed: (status: string) => `${base}ledger:failed:${status}`,
    ledgerFailedCode: (status: string, code: string) => `${base}ledger:failed:${status}:code:${code}`,
    /** Hash per receipt: version key → JSON version record (receipt history). */
    history: (receiptId: string) => `${base}history:${receiptId}`,
    /** String: the OKKI order id of a K3Cloud order number (FBillNo). */
    orderByBillNo: (billNo: string) => `${base}order-bill:${billNo}`,
    order: (orderId: string) => `${base}order:${orderId}`,
    /** List, newest first, trimmed to the audit limit. */
    audit: `${base}audit`,
    /** List per receipt or order id, newest first, trimmed to SUBJECT_AUDIT_LIMIT, expiring with the audit TTL. */
    auditSubject: (subject: string) => `${base}audit:subject:${subject}`,
  };
}

export type StateKeys = ReturnType<typeof stateKeys>;
