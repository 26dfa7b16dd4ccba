import type { ReceiptStore } from './receipt-store';
import { businessError, gatewayFailure, type SimResponse } from './responses';

/**
 * How `receipt/info` fails for one receipt: a gateway status (500 as JSON, 502/503 as nginx HTML
 * pages, docs/apis/okki.md §3 and §9) or OKKI's business envelope, HTTP 200 `{code, message, now}`
 * without `data` (§3; default code 500 `系统繁忙，请稍后再试`).
 */
export type InfoFailureAnswer = { httpStatus: 500 | 502 | 503 } | { code: number; message?: string };

export interface ReceiptInfoFailure {
  receiptId: number;
  /** Calls still to fail; undefined = until the entry is removed (`stopFailingReceiptInfo`). */
  calls?: number;
  answer: InfoFailureAnswer;
}

const BUSY = '系统繁忙，请稍后再试';

/** The record an info request names (by id or number), as handleReceiptInfo resolves it. */
function requestedId(store: ReceiptStore, params: URLSearchParams): number | undefined {
  const id = params.get('cash_collection_id')?.trim();
  if (id) return /^\d+$/.test(id) ? Number(id) : undefined;
  const no = params.get('cash_collection_no')?.trim();
  return no ? store.peekByNo(no)?.cash_collection_id : undefined;
}

/**
 * The failure to serve for this info request, or undefined. Spends one call of a counted entry and
 * drops the entry when it has none left.
 */
export function takeInfoFailure(
  failures: ReceiptInfoFailure[],
  store: ReceiptStore,
  params: URLSearchParams,
): ReceiptInfoFailure | undefined {
  if (failures.length === 0) return undefined;
  const id = requestedId(store, params);
  const index = failures.findIndex((f) => f.receiptId === id);
  const hit = failures[index];
  if (!hit) return undefined;
  if (hit.calls !== undefined) {
    hit.calls -= 1;
    if (hit.calls <= 0) failures.splice(index, 1);
  }
  return hit;
}

export function infoFailureResponse(answer: InfoFailureAnswer, now: string): SimResponse {
  if ('httpStatus' in answer) return gatewayFailure(answer.httpStatus, now);
  return businessError(now, answer.code, answer.message ?? BUSY);
}
