import type { ErrorGroup, FailureQuery, LedgerEntry, LedgerPage } from './ledger';
import { clampLimit } from './validate';

/** Offset and page size of a list query: 50 a page by default, at most 500. */
export function pageBounds(page: { offset?: number; limit?: number }): { offset: number; limit: number } {
  const offset = page.offset !== undefined && Number.isFinite(page.offset) ? Math.max(0, Math.floor(page.offset)) : 0;
  return { offset, limit: clampLimit(page.limit, 50, 500) };
}

/** Most recent cause first, ties by size. */
export function causeGroups(groups: ErrorGroup[], limit: number): ErrorGroup[] {
  return groups.sort((a, b) => b.lastAt.getTime() - a.lastAt.getTime() || b.count - a.count).slice(0, limit);
}

function failedAtMs(e: LedgerEntry): number {
  return (e.failedAt ?? e.updatedAt).getTime();
}

/** The failure query applied in memory to a small candidate set (one order's receipts). */
export function failurePage(candidates: readonly LedgerEntry[], query: FailureQuery): LedgerPage {
  const { offset, limit } = pageBounds(query);
  const matching = candidates
    .filter(
      (e) =>
        e.status === query.status &&
        (query.orderId === undefined || e.orderId === query.orderId) &&
        (query.code === undefined || e.lastError?.code === query.code) &&
        (query.from === undefined || failedAtMs(e) >= query.from.getTime()) &&
        (query.to === undefined || failedAtMs(e) <= query.to.getTime()),
    )
    .sort((a, b) => failedAtMs(b) - failedAtMs(a) || (a.receiptId < b.receiptId ? 1 : -1));
  return { total: matching.length, entries: matching.slice(offset, offset + limit) };
}
