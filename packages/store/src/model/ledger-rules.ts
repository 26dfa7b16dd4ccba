import { RECEIPT_STATUSES, type ReceiptStatus } from '@receipt-sync/core';
import type { z } from 'zod';
import { ERROR_SAMPLE_SIZE, type ErrorGroup, type LedgerEntry, type outcomeSchema, type writtenSchema } from './ledger';

/**
 * The ledger's update rules, shared by the Redis and MongoDB backends so both behave the same.
 * Each returns the next entry, or undefined when nothing must change.
 */

function blankEntry(receiptId: string, now: Date): LedgerEntry {
  return {
    receiptId,
    receiptNo: '',
    orderId: '',
    sourceVersion: '',
    removed: false,
    status: 'pending',
    attempts: 0,
    updatedAt: now,
  };
}

function withoutError(entry: LedgerEntry): LedgerEntry {
  const { lastError: _cleared, ...rest } = entry;
  return rest;
}

/** Stored version is newer than the incoming one (same `YYYY-MM-DD HH:mm:ss` format, so string order is time order). */
function isStale(current: LedgerEntry | undefined, incomingVersion: string | undefined): boolean {
  return current !== undefined && incomingVersion !== undefined && current.sourceVersion > incomingVersion;
}

export function applyWritten(
  current: LedgerEntry | undefined,
  w: z.output<typeof writtenSchema>,
  now: Date,
): LedgerEntry | undefined {
  if (current && isStale(current, w.sourceVersion)) {
    // An older job finished after a newer version was recorded: keep the newer fields, but learn
    // the row's K3Cloud ids if we never had them (it is the same row, keyed by the receipt number).
    if (current.k3Fid !== undefined && current.k3EntryId !== undefined) return undefined;
    return { ...current, k3Fid: current.k3Fid ?? w.k3Fid, k3EntryId: current.k3EntryId ?? w.k3EntryId, updatedAt: now };
  }
  return {
    ...withoutError(current ?? blankEntry(w.receiptId, now)),
    receiptNo: w.receiptNo,
    orderId: w.orderId,
    sourceVersion: w.sourceVersion,
    removed: w.removed,
    status: 'written',
    contentHash: w.contentHash,
    k3Fid: w.k3Fid,
    k3EntryId: w.k3EntryId,
    updatedAt: now,
    writtenAt: now,
  };
}

export function applyOutcome(
  current: LedgerEntry | undefined,
  receiptId: string,
  patch: z.output<typeof outcomeSchema>,
  now: Date,
): LedgerEntry | undefined {
  if (isStale(current, patch.sourceVersion)) return undefined;
  let next: LedgerEntry = { ...(current ?? blankEntry(receiptId, now)), status: patch.status, updatedAt: now };
  if (patch.receiptNo !== undefined) next.receiptNo = patch.receiptNo;
  if (patch.orderId !== undefined) next.orderId = patch.orderId;
  if (patch.sourceVersion !== undefined) next.sourceVersion = patch.sourceVersion;
  if (patch.removed !== undefined) next.removed = patch.removed;
  if (patch.lastError) {
    next.lastError = { code: patch.lastError.code, message: patch.lastError.message, at: patch.lastError.at ?? now };
  } else if (patch.status === 'written' || patch.status === 'unchanged') {
    next = withoutError(next);
  }
  return next;
}

export function applyAttempt(current: LedgerEntry | undefined, receiptId: string, now: Date): LedgerEntry {
  const base = current ?? blankEntry(receiptId, now);
  return { ...base, attempts: base.attempts + 1, updatedAt: now };
}

export function emptyCounts(): Record<ReceiptStatus, number> {
  return Object.fromEntries(RECEIPT_STATUSES.map((s) => [s, 0])) as Record<ReceiptStatus, number>;
}

/** Groups errored entries by code + message; most recent group first, ties by size. */
export function groupErrors(entries: readonly LedgerEntry[], limit: number): ErrorGroup[] {
  const sorted = entries
    .filter((e): e is LedgerEntry & { lastError: NonNullable<LedgerEntry['lastError']> } => e.lastError !== undefined)
    .sort((a, b) => b.lastError.at.getTime() - a.lastError.at.getTime() || (a.receiptId < b.receiptId ? -1 : 1));
  const groups = new Map<string, ErrorGroup>();
  for (const e of sorted) {
    const key = `${e.lastError.code}\u0000${e.lastError.message}`;
    const group = groups.get(key);
    if (!group) {
      groups.set(key, {
        code: e.lastError.code,
        message: e.lastError.message,
        count: 1,
        lastAt: e.lastError.at,
        sampleReceiptIds: [e.receiptId],
      });
      continue;
    }
    group.count += 1;
    if (group.sampleReceiptIds.length < ERROR_SAMPLE_SIZE) group.sampleReceiptIds.push(e.receiptId);
  }
  return [...groups.values()]
    .sort((a, b) => b.lastAt.getTime() - a.lastAt.getTime() || b.count - a.count)
    .slice(0, limit);
}
