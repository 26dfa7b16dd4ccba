import type { ErrorGroup, LedgerEntry } from '@receipt-sync/store';
import { FAILURES_PAGE_SIZE, isFiltered, type FailureFilter, type FailureList } from './failure-lists';
import { chinaTime, clip, html, table, type SafeHtml } from './html';

const QUEUE_TITLES: Record<string, string> = { 'dead-letter': 'Dead letters', quarantine: 'Quarantine' };

export function receiptLink(base: string, receiptId: string | undefined, label?: string): SafeHtml | string {
  if (!receiptId) return label ?? '';
  return html`<a href="${base}/receipts/${encodeURIComponent(receiptId)}">${label || receiptId}</a>`;
}

function listUrl(base: string, f: FailureFilter, page: number): string {
  const params = new URLSearchParams({ queue: f.queue });
  for (const k of ['code', 'order', 'from', 'to'] as const) {
    const v = f[k];
    if (v !== undefined) params.set(k, v);
  }
  params.set('page', String(page));
  return `${base}/dead-letters?${params.toString()}`;
}

function filterForm(list: FailureList, base: string): SafeHtml {
  const f = list.filter;
  return html`<form class="filters" method="get" action="${base}/dead-letters">
    <input type="hidden" name="queue" value="${list.queue}" />
    <input name="code" value="${f.code ?? ''}" placeholder="error code" aria-label="error code" />
    <input name="order" value="${f.order ?? ''}" placeholder="OKKI order id" aria-label="OKKI order id" />
    <label>from <input type="date" name="from" value="${f.from ?? ''}" /></label>
    <label>to <input type="date" name="to" value="${f.to ?? ''}" /></label>
    <button type="submit" class="plain">Filter</button>
    ${isFiltered(f) ? html`<a href="${listUrl(base, { ...f, code: undefined, order: undefined, from: undefined, to: undefined }, 1)}">clear</a>` : ''}
  </form>`;
}

function pager(list: FailureList, base: string): SafeHtml {
  const pages = Math.max(1, Math.ceil(list.total / FAILURES_PAGE_SIZE));
  if (pages === 1) return html``;
  const first = (list.page - 1) * FAILURES_PAGE_SIZE + 1;
  const last = Math.min(list.total, list.page * FAILURES_PAGE_SIZE);
  return html`<div class="pager">
    ${list.page > 1 ? html`<a href="${listUrl(base, list.filter, list.page - 1)}">← newer</a>` : ''}
    <span>${first}–${last} of ${list.total} · page ${list.page} of ${pages}</span>
    ${list.page < pages ? html`<a href="${listUrl(base, list.filter, list.page + 1)}">older →</a>` : ''}
  </div>`;
}

/** One paged, filterable list (dead letters or quarantine) with replay and discard buttons. */
export function failureListSection(list: FailureList, base: string): SafeHtml {
  const title = QUEUE_TITLES[list.queue] ?? list.queue;
  const rows = list.rows.map((d) => [
    receiptLink(base, d.receiptId, d.receiptNo || d.receiptId),
    d.orderId ?? '',
    html`<code>${d.code}</code>`,
    clip(d.reason),
    chinaTime(d.failedAt),
    d.replays === undefined ? '' : String(d.replays),
    d.deadLetterId
      ? html`<button type="button" data-action="replay" data-queue="${list.queue}" data-id="${d.deadLetterId}">
            Replay
          </button>
          <button
            type="button"
            class="secondary"
            data-action="discard"
            data-queue="${list.queue}"
            data-id="${d.deadLetterId}"
          >
            Discard
          </button>`
      : '',
  ]);
  const scope =
    list.source === 'ledger'
      ? html`<span class="note"
          >receipts currently ${list.queue === 'quarantine' ? 'quarantined' : 'dead-lettered'}, filtered</span
        >`
      : '';
  return html`<section id="${list.queue}">
    <div class="section-head">
      <h2>${title} (${list.total})</h2>
      ${scope}
      ${
        list.source === 'queue'
          ? html`<button
              type="button"
              data-action="replay-all"
              data-queue="${list.queue}"
              ${list.total === 0 ? html` disabled` : ''}
            >
              Replay all
            </button>`
          : ''
      }
    </div>
    ${filterForm(list, base)}
    ${table(['Receipt', 'Order', 'Code', 'Reason', 'Failed at', 'Replays', ''], rows, 'Nothing here.')}
    ${pager(list, base)}
  </section>`;
}

/** A cause can be replayed in one go when some of its receipts sit in a dead-letter queue. */
export function isReplayable(group: ErrorGroup, samples: ReadonlyMap<string, LedgerEntry>): boolean {
  return group.sampleReceiptIds.some((id) => samples.get(id)?.deadLetterId !== undefined);
}

/** Current errors grouped by cause, with example receipts and "Replay all of this cause". */
export function causesSection(groups: ErrorGroup[], samples: ReadonlyMap<string, LedgerEntry>, base: string): SafeHtml {
  const rows = groups.map((g) => [
    html`<code>${g.code}</code>`,
    html`<div>${clip(g.template)}</div>
      <div class="note">latest: ${clip(g.message, 200)}</div>`,
    String(g.count),
    chinaTime(g.firstAt),
    chinaTime(g.lastAt),
    g.sampleReceiptIds.map((id, i) => html`${i ? ', ' : ''}${receiptLink(base, id, samples.get(id)?.receiptNo || id)}`),
    isReplayable(g, samples)
      ? html`<button type="button" data-action="replay-cause" data-id="${g.cause}" data-count="${g.count}">
          Replay all of this cause
        </button>`
      : html`<span class="note">nothing to replay</span>`,
  ]);
  return html`<section id="errors">
    <h2>Current errors by cause</h2>
    ${table(['Code', 'Cause', 'Receipts', 'First', 'Latest', 'Examples', ''], rows, 'No receipt is in error.')}
  </section>`;
}
