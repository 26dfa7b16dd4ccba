import { formatChinaTime, parseChinaTime } from '@receipt-sync/core';
import type { OkkiReceiptRecord } from '../sample-data';
import type { OkkiFaults } from './faults';
import type { ReceiptStore, UpdateWindow } from './receipt-store';
import { renderInfo, renderListItem } from './render';
import { businessError, notFoundResource, success, type SimResponse } from './responses';

export interface ReceiptEndpointContext {
  store: ReceiptStore;
  faults: OkkiFaults;
  random: () => number;
  /** How often the current pageDrift object fired; keyed by identity so replacing it resets the count. */
  driftFired: WeakMap<object, number>;
  onDrift(): void;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** docs/apis/okki.md §4: bounds are inclusive seconds; date-only start = 00:00:00, end = 23:59:59 (ASSUMPTION). */
function parseBound(value: string | null, edge: 'start' | 'end'): string | undefined | null {
  if (value === null || value.trim() === '') return undefined;
  const text = value.trim();
  if (DATE_ONLY.test(text))
    return parseChinaTime(text) ? `${text} ${edge === 'start' ? '00:00:00' : '23:59:59'}` : null;
  const parsed = parseChinaTime(text);
  return parsed ? formatChinaTime(parsed) : null;
}

/** docs/apis/okki.md §4 / §11.6: start_index is a 1-based page (< 1 → 1); count defaults to 20, capped at 500. */
function pageParams(params: URLSearchParams): { page: number; count: number } {
  const page = Number.parseInt(params.get('start_index') ?? '1', 10);
  const count = Number.parseInt(params.get('count') ?? '20', 10);
  return {
    page: Number.isFinite(page) && page >= 1 ? page : 1,
    count: Number.isFinite(count) && count >= 1 ? Math.min(count, 500) : 20,
  };
}

/** GET /v1/invoices/receipt/list (docs/apis/okki.md §4). Unknown params (time_type…) are ignored. */
export function handleReceiptList(ctx: ReceiptEndpointContext, params: URLSearchParams): SimResponse {
  const now = ctx.store.nowStamp();
  const from = parseBound(params.get('start_time'), 'start');
  const to = parseBound(params.get('end_time'), 'end');
  if (from === null || to === null) return businessError(now, 400, 'Invalid query');
  const window: UpdateWindow = { from, to };
  const removed = params.get('removed') === '1'; // docs/apis/okki.md §8: 1 = only deleted receipts
  const { page, count } = pageParams(params);
  const matching = ctx.store.query(window, removed);
  const corrupt = new Set(ctx.faults.corruptReceiptIds);
  const list = matching
    .slice((page - 1) * count, page * count)
    .map((r) => renderListItem(r, corrupt.has(r.cash_collection_id)));
  // docs/apis/okki.md §4: past the last page → empty list, same totalItem (ASSUMPTION).
  const response = success(now, { list, totalItem: matching.length });
  applyPageDrift(ctx, matching, page, count);
  return response;
}

/**
 * docs/apis/okki.md §4 pagination drift: right after page N, receipts of the window being paged are edited.
 * Half come from pages already served and half from pages still ahead, so both failure modes
 * happen: rows slide back onto read pages (missed) or forward onto unread ones (duplicates).
 */
function applyPageDrift(ctx: ReceiptEndpointContext, matching: OkkiReceiptRecord[], page: number, count: number): void {
  const drift = ctx.faults.pageDrift;
  if (!drift || drift.afterPage !== page) return;
  const fired = ctx.driftFired.get(drift) ?? 0;
  if (fired >= (drift.times ?? Number.POSITIVE_INFINITY)) return;
  ctx.driftFired.set(drift, fired + 1);
  const served = matching.slice(0, page * count).map((r) => r.cash_collection_id);
  const ahead = matching.slice(page * count).map((r) => r.cash_collection_id);
  for (let i = 0; i < drift.updateCount; i++) {
    const pool = (i % 2 === 0 && served.length > 0) || ahead.length === 0 ? served : ahead;
    if (pool.length === 0) break;
    const [id] = pool.splice(Math.floor(ctx.random() * pool.length), 1);
    ctx.store.touch(id!);
  }
  ctx.onDrift();
}

/** GET /v1/invoices/receipt/info?cash_collection_id=|cash_collection_no= (docs/apis/okki.md §6). */
export function handleReceiptInfo(ctx: ReceiptEndpointContext, params: URLSearchParams): SimResponse {
  const now = ctx.store.nowStamp();
  const idText = params.get('cash_collection_id');
  const no = params.get('cash_collection_no');
  let record: OkkiReceiptRecord | undefined;
  if (idText !== null && idText.trim() !== '') {
    record = /^\d+$/.test(idText.trim()) ? ctx.store.peekById(Number(idText.trim())) : undefined;
  } else if (no !== null && no.trim() !== '') {
    record = ctx.store.peekByNo(no.trim());
  } else {
    // docs/apis/okki.md §3: validation failures come back as code 404 with a message.
    return businessError(now, 404, "'cash_collection_id' cannot be empty");
  }
  // docs/apis/okki.md §6 [INTEG]: unknown id → HTTP 200 {code:404,"Not Found Resource"}; deleted ones stay readable.
  if (!record) return notFoundResource(now);
  return success(now, renderInfo(record));
}
