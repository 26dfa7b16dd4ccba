import type { ReceiptPage } from './receipt-parsing';

/** What one pass over a window has seen so far. */
export interface PassState {
  page: number;
  /** totalItem on the first page of this pass. */
  total?: number;
  /** Rows (valid + invalid) read in this pass. */
  rows: number;
  ids: Set<number>;
  /** update_time of the last valid row read in this pass. */
  lastTime?: string;
}

export function newPass(): PassState {
  return { page: 0, rows: 0, ids: new Set() };
}

/**
 * Signs that the list shifted while we paged (docs/apis/okki.md §4 pagination drift) or is not in the
 * promised order: totalItem changed, an id came twice, a page shorter or longer than the total
 * implies (BE checks len(list) == min(count, totalItem)), rows not in update_time DESC order.
 * Returns a reason, or undefined when the page is consistent with the earlier pages of the pass.
 */
export function findAnomaly(pass: PassState, page: ReceiptPage, pageNo: number, count: number): string | undefined {
  const total = pass.total ?? page.totalItem;
  if (page.totalItem !== total) return `totalItem changed from ${total} to ${page.totalItem} at page ${pageNo}`;
  const rows = page.list.length + page.invalid.length;
  const expected = Math.max(0, Math.min(count, total - (pageNo - 1) * count));
  if (rows !== expected) return `page ${pageNo} has ${rows} rows where totalItem ${total} implies ${expected}`;
  let previous = pass.lastTime;
  const seenHere = new Set<number>();
  for (const r of page.list) {
    if (pass.ids.has(r.cash_collection_id) || seenHere.has(r.cash_collection_id)) {
      return `receipt ${r.cash_collection_id} listed twice (page ${pageNo})`;
    }
    seenHere.add(r.cash_collection_id);
    if (previous !== undefined && r.update_time > previous) return `page ${pageNo} not sorted by update_time DESC`;
    previous = r.update_time;
  }
  return undefined;
}

/** Folds a consistent page into the pass. True when the pass has reached the end of the list. */
export function absorbPage(pass: PassState, page: ReceiptPage, pageNo: number, count: number): boolean {
  pass.page = pageNo;
  pass.total ??= page.totalItem;
  const rows = page.list.length + page.invalid.length;
  pass.rows += rows;
  for (const r of page.list) pass.ids.add(r.cash_collection_id);
  const last = page.list[page.list.length - 1];
  if (last) pass.lastTime = last.update_time;
  // docs/apis/okki.md §11.5: stop when seen == totalItem or a page comes back short or empty.
  return rows < count || pass.rows >= pass.total;
}
