import { DEAD_LETTER_KINDS, RECEIPT_STATUSES, type DeadLetterKind, type ReceiptStatus } from '@receipt-sync/core';
import type { z } from 'zod';
import { errorCause } from './error-cause';
import { type LedgerEntry, type outcomeSchema, type touchSchema, type writtenSchema } from './ledger';

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

export function isFailed(status: ReceiptStatus): status is DeadLetterKind {
  return (DEAD_LETTER_KINDS as readonly string[]).includes(status);
}

/**
 * `failedAt` and `deadLetterId` describe a dead-lettered or quarantined entry only: kept (or set)
 * while the entry is failed, dropped as soon as it is anything else.
 */
function withFailure(entry: LedgerEntry, now: Date, deadLetterId?: string): LedgerEntry {
  const { failedAt, deadLetterId: keptId, ...rest } = entry;
  if (!isFailed(entry.status)) return rest;
  const id = deadLetterId ?? keptId;
  return {
    ...rest,
    failedAt: entry.lastError?.at ?? failedAt ?? now,
    ...(id === undefined ? {} : { deadLetterId: id }),
  };
}

/**
 * The stored version is newer than the incoming one: a later `update_time` (same `YYYY-MM-DD
 * HH:mm:ss` format, so string order is time order), or the same second where the stored one is a
 * removal and the incoming one is not (a removal wins a tie: OKKI may delete without a new stamp).
 */
export function isStaleVersion(
  current: Pick<LedgerEntry, 'sourceVersion' | 'removed'> | undefined,
  incoming: { sourceVersion?: string; removed?: boolean },
): boolean {
  if (current === undefined || incoming.sourceVersion === undefined || incoming.sourceVersion === '') return false;
  if (current.sourceVersion !== incoming.sourceVersion) return current.sourceVersion > incoming.sourceVersion;
  return current.removed && incoming.removed !== true;
}

function isStale(current: LedgerEntry | undefined, incoming: { sourceVersion?: string; removed?: boolean }): boolean {
  return isStaleVersion(current, incoming);
}

export function applyWritten(
  current: LedgerEntry | undefined,
  w: z.output<typeof writtenSchema>,
  now: Date,
): LedgerEntry | undefined {
  if (current && isStale(current, w)) {
    // An older job finished after a newer version was recorded: keep the newer fields, but learn
    // the row's K3Cloud ids if we never had them (it is the same row, keyed by the receipt number).
    if (current.k3Fid !== undefined && current.k3EntryId !== undefined) return undefined;
    return { ...current, k3Fid: current.k3Fid ?? w.k3Fid, k3EntryId: current.k3EntryId ?? w.k3EntryId, updatedAt: now };
  }
  const {
    failedAt: _f,
    deadLetterId: _d,
    sourceDigest: _s,
    ...base
  } = withoutError(current ?? blankEntry(w.receiptId, now));
  return {
    ...base,
    receiptNo: w.receiptNo,
    orderId: w.orderId,
    sourceVersion: w.sourceVersion,
    removed: w.removed,
    status: 'written',
    contentHash: w.contentHash,
    ...(w.sourceDigest === undefined ? {} : { sourceDigest: w.sourceDigest }),
    k3Fid: w.k3Fid,
    k3EntryId: w.k3EntryId,
    ...(w.fields === undefined ? {} : { writtenFields: w.fields }),
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
  if (isStale(current, patch)) return undefined;
  let next: LedgerEntry = { ...(current ?? blankEntry(receiptId, now)), status: patch.status, updatedAt: now };
  if (patch.receiptNo !== undefined) next.receiptNo = patch.receiptNo;
  if (patch.customer !== undefined) next.customer = patch.customer;
  // Once a row is written, orderId names the order holding it until another write moves it: a later
  // version's failure (a move that could not be written yet) must not lose where the payment counts.
  if (patch.orderId !== undefined && next.k3Fid === undefined) next.orderId = patch.orderId;
  if (patch.sourceVersion !== undefined && patch.sourceVersion !== next.sourceVersion) {
    next.sourceVersion = patch.sourceVersion;
    delete next.sourceDigest;
  }
  if (patch.sourceDigest !== undefined) next.sourceDigest = patch.sourceDigest;
  if (patch.removed !== undefined) next.removed = patch.removed;
  if (patch.lastError) {
    const { code, message, why } = patch.lastError;
    next.lastError = {
      code,
      message,
      at: patch.lastError.at ?? now,
      cause: errorCause(code, message).id,
      ...(why?.length ? { why } : {}),
    };
  } else if (patch.status === 'written' || patch.status === 'unchanged') {
    next = withoutError(next);
  }
  return withFailure(next, now, patch.deadLetterId);
}

/**
 * A touch settled without a K3Cloud call: the entry moves to the newer version only while it still
 * says K3Cloud holds this content on this order (undefined otherwise: the caller sends the row on).
 */
export function applyTouch(
  current: LedgerEntry | undefined,
  t: z.output<typeof touchSchema>,
  now: Date,
): LedgerEntry | undefined {
  if (!current || isStale(current, t) || current.k3Fid === undefined) return undefined;
  if (current.status !== 'written' && current.status !== 'unchanged') return undefined;
  if (current.contentHash !== t.contentHash || current.orderId !== t.orderId || current.removed !== t.removed)
    return undefined;
  const next: LedgerEntry = { ...current, status: 'written', sourceVersion: t.sourceVersion, updatedAt: now };
  if (t.sourceDigest !== undefined) next.sourceDigest = t.sourceDigest;
  else delete next.sourceDigest;
  if (t.receiptNo !== undefined) next.receiptNo = t.receiptNo;
  if (t.customer !== undefined) next.customer = t.customer;
  return next;
}

/** The same entry with the fields later versions derive (`lastError.cause` on read, `failedAt`). */
export function applyReindex(current: LedgerEntry | undefined, now: Date): LedgerEntry | undefined {
  return current && withFailure(current, now);
}

export function applyAttempt(current: LedgerEntry | undefined, receiptId: string, now: Date): LedgerEntry {
  const base = current ?? blankEntry(receiptId, now);
  return { ...base, attempts: base.attempts + 1, updatedAt: now };
}

export function emptyCounts(): Record<ReceiptStatus, number> {
  return Object.fromEntries(RECEIPT_STATUSES.map((s) => [s, 0])) as Record<ReceiptStatus, number>;
}
