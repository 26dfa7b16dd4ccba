import { nextStep, reasonText, replayLabel, type CauseFacts, type Translate } from '@receipt-sync/core';
import type { ErrorGroup, LedgerEntry } from '@receipt-sync/store';
import { FAILURES_PAGE_SIZE, isFiltered, type FailureFilter, type FailureList } from './failure-lists';
import { chinaTime, clip, html, table, type SafeHtml } from './html';

export function receiptLink(base: string, receiptId: string | undefined, label?: string): SafeHtml | string {
  if (!receiptId) return label ?? '';
  return html`<a href="${base}/receipts/${encodeURIComponent(receiptId)}">${label || receiptId}</a>`;
}

/** A reason said once: our words in the page's language, the other system's text verbatim (marked as such). */
export function reasonBlock(cause: CauseFacts, t: Translate, max = 300): SafeHtml {
  const r = reasonText(cause, t);
  return html`<div>${r.text} ${r.upstream ? html`<span class="upstream">${clip(r.upstream, max)}</span>` : ''}</div>`;
}

/** The next step beside a cause: where (K3Cloud, OKKI, here, IT) and what to do. */
export function stepBlock(cause: CauseFacts, t: Translate): SafeHtml {
  const step = nextStep(cause, t);
  return html`<div class="step"><span class="where">${t(`where.${step.where}`)}</span> ${step.text}</div>`;
}

/**
 * Replay for one dead letter, only where replaying can work: a cause fixed outside (un-audit,
 * create the order) says so on the button and asks first; a cause whose fix arrives from OKKI as a
 * new version gets no button.
 */
export function replayButton(
  cause: CauseFacts,
  queue: string,
  deadLetterId: string,
  t: Translate,
  label?: string,
): SafeHtml {
  const step = nextStep(cause, t);
  if (step.replay === 'never') return html`<span class="note">${t('actions.noReplay')}</span>`;
  const text = label ?? replayLabel(cause, t);
  return html`<button
    type="button"
    data-action="replay"
    data-queue="${queue}"
    data-id="${deadLetterId}"
    ${step.replay === 'after-fix' ? html`data-confirm="${t('confirm.replayAfterFix', { step: step.text })}"` : ''}
  >
    ${text}
  </button>`;
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

function filterForm(list: FailureList, base: string, t: Translate): SafeHtml {
  const f = list.filter;
  // Text inputs with the China date pattern: a date picker shows the browser's own format (mm/dd/yyyy).
  const day = (name: 'from' | 'to', value: string | undefined) =>
    html`<label
      >${t(`filters.${name}`)}
      <input
        name="${name}"
        value="${value ?? ''}"
        placeholder="YYYY-MM-DD"
        pattern="\\d{4}-\\d{2}-\\d{2}"
        size="10"
        title="${t('filters.dateTitle')}"
    /></label>`;
  return html`<form class="filters" method="get" action="${base}/dead-letters">
    <input type="hidden" name="queue" value="${list.queue}" />
    <input name="code" value="${f.code ?? ''}" placeholder="${t('filters.code')}" aria-label="${t('filters.code')}" />
    <input
      name="order"
      value="${f.order ?? ''}"
      placeholder="${t('filters.order')}"
      aria-label="${t('filters.order')}"
    />
    ${day('from', f.from)} ${day('to', f.to)}
    <button type="submit" class="plain">${t('filters.apply')}</button>
    ${
      isFiltered(f)
        ? html`<a
            href="${listUrl(base, { ...f, code: undefined, order: undefined, from: undefined, to: undefined }, 1)}"
            >${t('filters.clear')}</a
          >`
        : ''
    }
  </form>`;
}

function pager(list: FailureList, base: string, t: Translate): SafeHtml {
  const pages = Math.max(1, Math.ceil(list.total / FAILURES_PAGE_SIZE));
  if (pages === 1) return html``;
  const first = (list.page - 1) * FAILURES_PAGE_SIZE + 1;
  const last = Math.min(list.total, list.page * FAILURES_PAGE_SIZE);
  return html`<div class="pager">
    ${list.page > 1 ? html`<a href="${listUrl(base, list.filter, list.page - 1)}">${t('pager.newer')}</a>` : ''}
    <span>${t('pager.range', { first, last, total: list.total, page: list.page, pages })}</span>
    ${list.page < pages ? html`<a href="${listUrl(base, list.filter, list.page + 1)}">${t('pager.older')}</a>` : ''}
  </div>`;
}

/** What a list's count counts: jobs of the queue (unfiltered) or receipts of the ledger (filtered). */
function countLine(list: FailureList, t: Translate): string {
  return list.source === 'queue'
    ? t('lists.countJobs', { count: list.total })
    : t('lists.countReceipts', { count: list.total });
}

/** One paged, filterable list (dead letters or quarantine) with its next steps, replay and discard. */
export function failureListSection(list: FailureList, base: string, t: Translate): SafeHtml {
  const rows = list.rows.map((d) => {
    const cause = { code: d.code, message: d.reason, orderId: d.orderId, why: d.why };
    return [
      receiptLink(base, d.receiptId, d.receiptNo || d.receiptId),
      d.orderId ? html`<a href="${base}/receipts/${encodeURIComponent(d.orderId)}">${d.orderId}</a>` : '',
      html`<code>${d.code}</code> ${reasonBlock(cause, t)} ${stepBlock(cause, t)}`,
      chinaTime(d.failedAt),
      d.replays === undefined ? '' : String(d.replays),
      d.deadLetterId
        ? html`<div class="actions">
            ${replayButton(cause, list.queue, d.deadLetterId, t)}
            <button
              type="button"
              class="secondary"
              data-action="discard"
              data-queue="${list.queue}"
              data-id="${d.deadLetterId}"
              data-confirm="${t('confirm.discard', { id: d.receiptNo || d.deadLetterId })}"
            >
              ${t('actions.discard')}
            </button>
          </div>`
        : '',
    ];
  });
  return html`<section id="${list.queue}">
    <div class="section-head">
      <h2>${t(`lists.${list.queue}`)}</h2>
      <span class="note">${countLine(list, t)}</span>
      ${
        list.source === 'queue'
          ? html`<button
              type="button"
              data-action="replay-all"
              data-queue="${list.queue}"
              data-confirm="${t('confirm.replayAll', { count: list.total })}"
              ${list.total === 0 ? html` disabled` : ''}
            >
              ${t('actions.replayAll')}
            </button>`
          : ''
      }
    </div>
    <p class="note">${t(`lists.${list.queue}Explain`)}</p>
    ${filterForm(list, base, t)}
    ${table(
      [t('lists.receipt'), t('lists.order'), t('lists.reason'), t('lists.failedAt'), t('lists.replays'), ''],
      rows,
      t('lists.empty'),
    )}
    ${pager(list, base, t)}
  </section>`;
}

/** A cause can be replayed in one go when some of its receipts sit in a dead-letter queue and replay can work. */
export function isReplayable(group: ErrorGroup, samples: ReadonlyMap<string, LedgerEntry>): boolean {
  return group.sampleReceiptIds.some((id) => samples.get(id)?.deadLetterId !== undefined);
}

function causeFacts(g: ErrorGroup, samples: ReadonlyMap<string, LedgerEntry>): CauseFacts {
  const orderId = g.sampleReceiptIds.map((id) => samples.get(id)?.orderId).find(Boolean);
  return { code: g.code, message: g.message, orderId };
}

/** Current errors grouped by cause, each with its next step and "Replay all of this cause" where that can work. */
export function causesSection(
  groups: ErrorGroup[],
  samples: ReadonlyMap<string, LedgerEntry>,
  base: string,
  t: Translate,
  more?: { total: number },
): SafeHtml {
  const rows = groups.map((g) => {
    const cause = causeFacts(g, samples);
    const step = nextStep(cause, t);
    return [
      html`<code>${g.code}</code>`,
      html`${reasonBlock(cause, t)} ${stepBlock(cause, t)}`,
      html`<span class="nowrap">${t('count.receipts', { count: g.count })}</span>`,
      html`${chinaTime(g.firstAt)}<br />${chinaTime(g.lastAt)}`,
      g.sampleReceiptIds.map(
        (id, i) => html`${i ? ', ' : ''}${receiptLink(base, id, samples.get(id)?.receiptNo || id)}`,
      ),
      isReplayable(g, samples) && step.replay !== 'never'
        ? html`<button
            type="button"
            data-action="replay-cause"
            data-id="${g.cause}"
            data-confirm="${t('confirm.replayCause', { count: g.count, step: step.text })}"
          >
            ${t('actions.replayCause')}
          </button>`
        : html`<span class="note"
            >${step.replay === 'never' ? t('actions.noReplay') : t('actions.nothingToReplay')}</span
          >`,
    ];
  });
  return html`<section id="errors">
    <div class="section-head">
      <h2>${t('causes.title')}</h2>
      ${more && more.total > groups.length ? html`<a href="${base}/causes">${t('causes.all', { count: more.total })}</a>` : ''}
    </div>
    ${table(
      [t('causes.code'), t('causes.cause'), t('causes.receipts'), t('causes.firstLatest'), t('causes.examples'), ''],
      rows,
      t('causes.none'),
    )}
  </section>`;
}
