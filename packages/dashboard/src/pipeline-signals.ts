import type { ApiCallRecord } from '@receipt-sync/core';
import { parseChinaTime } from '@receipt-sync/core';
import type { Checkpoint, WindowRecord } from '@receipt-sync/store';

/** The producer's one stream (store checkpoints). */
export const RECEIPTS_STREAM = 'receipts';

/**
 * Seconds between now and the checkpoint's `windowEnd` (China wall-clock time, §china-time), never
 * negative; undefined before the first checkpoint or when the stamp cannot be read.
 */
export function checkpointLagSeconds(checkpoint: Checkpoint | undefined, now: Date): number | undefined {
  if (!checkpoint) return undefined;
  const end = parseChinaTime(checkpoint.windowEnd);
  if (!end) return undefined;
  return Math.max(0, Math.round((now.getTime() - end.getTime()) / 1000));
}

/**
 * Failed windows in a row, newest first (`windows.latest` order), up to the last completed one.
 * Windows still in flight (open, enqueued) neither count nor break the streak.
 */
export function consecutiveWindowFailures(windows: readonly WindowRecord[]): number {
  let failures = 0;
  for (const w of windows) {
    if (w.status === 'failed') failures += 1;
    else if (w.status === 'completed') break;
  }
  return failures;
}

/** K3Cloud session logins: `AuthService.ValidateUser` (password) or `LoginByAppSecret` (docs/apis/k3cloud.md §2.1, §2.2). */
export function isK3Login(record: ApiCallRecord): boolean {
  return record.system === 'k3cloud' && /login|validateuser/i.test(record.operation);
}

/**
 * Whether K3Cloud login is failing, from audit records (newest first): the newest login attempt
 * since `since` decides. With no attempt in that span the previous verdict stands, because a client
 * that backs off after a failed login may not try again within one interval.
 */
export function k3LoginFailing(records: readonly ApiCallRecord[], since: Date, previous: boolean): boolean {
  for (const r of records) {
    const at = Date.parse(r.at);
    if (Number.isFinite(at) && at < since.getTime()) break;
    if (isK3Login(r)) return r.outcome !== 'ok';
  }
  return previous;
}

/** How many of the newest API calls the status view searches for failed ones. */
export const FAILED_CALL_SCAN = 1000;

/** Failed calls among `records` (newest first), at most `limit`. */
export function failedCalls(records: readonly ApiCallRecord[], limit: number): ApiCallRecord[] {
  return records.filter((r) => r.outcome !== 'ok').slice(0, limit);
}
