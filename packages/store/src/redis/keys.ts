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
    /** Sorted set: receiptIds carrying a `lastError`, scored by its time (ms). */
    ledgerErrors: `${base}ledger:errors`,
    order: (orderId: string) => `${base}order:${orderId}`,
    /** List, newest first, trimmed to the audit limit. */
    audit: `${base}audit`,
  };
}

export type StateKeys = ReturnType<typeof stateKeys>;
