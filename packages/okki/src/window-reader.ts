import { formatChinaTime, parseChinaTime } from '@receipt-sync/core';
import { InvalidInputError } from '@receipt-sync/core';
import type { Logger } from '@receipt-sync/core';
import { WindowUnstableError } from './client-errors';
import { absorbPage, findAnomaly, newPass } from './page-checks';
import type { ReceiptListItem, ReceiptPage } from './receipt-parsing';

export interface WindowOptions {
  /** Inclusive bounds on update_time (docs/apis/okki.md §4): a Date or a China-time `YYYY-MM-DD HH:mm:ss`. */
  startTime: Date | string;
  endTime: Date | string;
  /** false: active receipts (removed=0); true: deleted ones (removed=1). */
  removed?: boolean;
  /** `count` per page; default 100 (XIAOMAN_PAGE_SIZE). */
  pageSize?: number;
  /** Re-reads allowed after drift before giving up with WindowUnstableError; default 25. */
  maxRestarts?: number;
}

export type WindowItem =
  | { kind: 'receipt'; receipt: ReceiptListItem; removed: boolean }
  | { kind: 'invalid'; raw: unknown; issues: string[]; removed: boolean };

export interface WindowReadStats {
  /** List requests made (successful pages). */
  pages: number;
  /** Rows read, re-reads included. */
  reads: number;
  /** Times the reader started over after drift. */
  restarts: number;
  /** totalItem the first page reported for the whole window. */
  totalItem: number;
  /** Receipts yielded (each once). */
  yielded: number;
  /** Invalid items yielded (each distinct one once). */
  invalid: number;
  /** Rows the server returned outside the window (ignored). */
  outOfWindow: number;
  /** True when the window end was not yet in the past by the server clock (see below). */
  openWindow: boolean;
  complete: boolean;
}

export type ListPage = (query: {
  startTime: string;
  endTime: string;
  page: number;
  count: number;
  removed: boolean;
}) => Promise<ReceiptPage>;

/** Canonical China-time bound; a date-only end means the whole day (docs/apis/okki.md §4 ASSUMPTION). */
export function windowBound(value: Date | string, edge: 'start' | 'end'): string {
  if (typeof value !== 'string') return formatChinaTime(value);
  const text = value.trim();
  const parsed = parseChinaTime(text);
  if (!parsed)
    throw new InvalidInputError('okki receipt window', [`${edge}Time: not a China time: ${JSON.stringify(value)}`]);
  if (/^\d{4}-\d{2}-\d{2}$/.test(text) && edge === 'end') return `${text} 23:59:59`;
  return formatChinaTime(parsed);
}

/**
 * Reads a FIXED update_time window and yields every receipt in it exactly once.
 *
 * OKKI pages by offset over a list sorted at request time (docs/apis/okki.md §4), so edits during paging shift
 * rows: some slide onto pages already read (missed) or onto pages not yet read (duplicates).
 * Each page is checked (see page-checks); on drift the reader starts over, skipping ids already
 * yielded, until one pass completes with no drift.
 *
 * Closed window (end < server `now`): an edit stamps update_time = now, beyond the end, so the
 * window can only lose rows and every loss changes totalItem. The pages read before the drift
 * was seen are then a consistent prefix: everything newer than its last update_time was read, and
 * the re-read narrows to [start, that time] (the boundary second included) — BE-remote's time-window
 * walk. Open window (end ≥ now): edited rows jump to the top, so the whole window is re-read.
 * Rows that leave the window while it is read are not missed: the next window catches them.
 */
export class ReceiptWindowReader implements AsyncIterable<WindowItem> {
  private readonly state: WindowReadStats = {
    pages: 0,
    reads: 0,
    restarts: 0,
    totalItem: 0,
    yielded: 0,
    invalid: 0,
    outOfWindow: 0,
    openWindow: false,
    complete: false,
  };

  constructor(
    private readonly listPage: ListPage,
    private readonly options: WindowOptions,
    private readonly logger?: Logger,
  ) {}

  get summary(): WindowReadStats {
    return { ...this.state };
  }

  async *[Symbol.asyncIterator](): AsyncIterator<WindowItem> {
    const start = windowBound(this.options.startTime, 'start');
    const end = windowBound(this.options.endTime, 'end');
    const removed = this.options.removed ?? false;
    const count = this.options.pageSize ?? 100;
    const maxRestarts = this.options.maxRestarts ?? 25;
    const yielded = new Set<number>();
    const invalidSeen = new Set<string>();
    let high = end;
    let firstPage = true;
    for (;;) {
      const pass = newPass();
      let anomaly: string | undefined;
      for (let pageNo = 1; ; pageNo++) {
        const page = await this.listPage({ startTime: start, endTime: high, page: pageNo, count, removed });
        this.state.pages += 1;
        this.state.reads += page.list.length + page.invalid.length;
        if (firstPage) {
          firstPage = false;
          this.state.totalItem = page.totalItem;
          // Server clock, not ours: `now` is China time like update_time (docs/apis/okki.md §3).
          this.state.openWindow = !(page.now.length === 19 && end < page.now);
        }
        anomaly = findAnomaly(pass, page, pageNo, count);
        for (const receipt of page.list) {
          if (receipt.update_time < start || receipt.update_time > high) {
            this.state.outOfWindow += 1;
            continue;
          }
          if (yielded.has(receipt.cash_collection_id)) continue;
          yielded.add(receipt.cash_collection_id);
          this.state.yielded += 1;
          yield { kind: 'receipt', receipt, removed };
        }
        for (const bad of page.invalid) {
          const key = JSON.stringify(bad.raw) ?? String(bad.raw);
          if (invalidSeen.has(key)) continue;
          invalidSeen.add(key);
          this.state.invalid += 1;
          yield { kind: 'invalid', raw: bad.raw, issues: bad.issues, removed };
        }
        if (anomaly) break;
        if (absorbPage(pass, page, pageNo, count)) break;
      }
      if (!anomaly) {
        this.state.complete = true;
        return;
      }
      this.state.restarts += 1;
      if (this.state.restarts > maxRestarts) throw new WindowUnstableError(start, end, maxRestarts, anomaly);
      // Closed window: narrow to the part not covered by the consistent prefix; open: start over.
      const nextHigh = this.state.openWindow ? end : (pass.lastTime ?? high);
      this.logger?.info(
        { window: { start, end }, removed, anomaly, restarts: this.state.restarts, rereadTo: nextHigh },
        'okki receipt list drifted while paging; re-reading',
      );
      high = nextHigh;
    }
  }
}
