import { groupedAmount, money, type Translate } from '@receipt-sync/core';
import { DEFAULT_MAPPING, type Mapping } from '@receipt-sync/mapping';
import type { LedgerEntry } from '@receipt-sync/store';
import type { FailureList } from './failure-lists';
import { failureListSection, reasonBlock, receiptLink, replayButton, stepBlock } from './failure-sections';
import { chinaTime, chinaTimeAgo, clip, html, table, type SafeHtml } from './html';
import type { PageLanguage } from './i18n';
import { layout } from './layout';
import { reconcileSection } from './reconcile-section';
import { fieldLabel } from './receipts/facts';
import type { ReceiptRecord } from './receipts/record';

export interface Frame {
  base: string;
  nonce: string;
  language: PageLanguage;
  query?: string;
  /** The mapping, for labels of K3Cloud keys; DEFAULT_MAPPING when not given. */
  mapping?: Mapping;
  /** TRACE_URL_TEMPLATE: a trace id becomes a link to the tracing backend. */
  traceUrlTemplate?: string;
}

const outcome = (status: string, t: Translate) =>
  html`<span class="outcome ${status}">${t(`outcome.${status}`)}</span>`;

function facts(pairs: Array<[string, unknown]>): SafeHtml {
  return html`<dl class="facts">
    ${pairs.map(
      ([k, v]) =>
        html`<dt>${k}</dt>
          <dd>${v === undefined || v === '' ? html`<span class="note">–</span>` : v}</dd>`,
    )}
  </dl>`;
}

/** FDocumentStatus in words, and when the writer last read it. */
function documentStatus(o: ReceiptRecord['order'], t: Translate): SafeHtml | string {
  if (!o.documentStatus) return '';
  const known = ['Z', 'A', 'B', 'C', 'D'].includes(o.documentStatus);
  const words = known ? t(`docStatus.${o.documentStatus}`) : t('docStatus.unknown');
  const when = o.statusSeenAt ? ` ${t('receipt.statusSeen', { at: chinaTime(new Date(o.statusSeenAt)) })}` : '';
  return html`${words} <code>${o.documentStatus}</code><span class="note">${when}</span>`;
}

function orderFacts(r: ReceiptRecord, base: string, t: Translate): SafeHtml | string {
  const o = r.order;
  if (!o.orderId || o.orderId === '0') return html`<span class="note">${t('receipt.noOrder')}</span>`;
  const cached =
    o.cached === 'hit' ? '' : o.cached === 'miss' ? t('receipt.orderMissing') : t('receipt.orderNotCached');
  return html`${o.billNo ? html`<strong>${o.billNo}</strong> · ` : ''}${t('receipt.okkiOrder')}
    <a href="${base}/receipts/${encodeURIComponent(o.orderId)}">${o.orderId}</a
    >${r.facts?.orderNo ? ` (${r.facts.orderNo})` : ''} ${o.documentStatus ? html`· ${documentStatus(o, t)}` : ''}
    ${cached ? html`<span class="note">${cached}</span>` : ''}`;
}

/** The receipt first: number, customer, money, date, type, order and its status, outcome and the next step. */
function summary(r: ReceiptRecord, base: string, t: Translate): SafeHtml {
  const f = r.facts;
  const cause = r.reason
    ? { code: r.reason.code, message: r.reason.message, orderId: r.orderId, why: r.reason.why }
    : undefined;
  const replay = r.replay && cause ? replayButton(cause, r.replay.queue, r.replay.deadLetterId, t) : '';
  const amount = (v: unknown) =>
    v === undefined ? undefined : html`<span class="money">${money(v, f?.currency, t)}</span>`;
  return html`<section>
    <div class="section-head">
      <h2 class="headline">${t('receipt.title', { no: r.receiptNo || r.receiptId })} ${outcome(r.outcome, t)}</h2>
      <div class="actions">${replay}</div>
    </div>
    ${
      r.reason && cause
        ? html`<p><code>${r.reason.code}</code> <span class="note">${chinaTime(r.reason.at)}</span></p>
            ${reasonBlock(cause, t, 2000)} ${stepBlock(cause, t)}`
        : ''
    }
    ${facts([
      [t('receipt.customer'), f?.customer],
      [t('receipt.realAmount'), amount(f?.realAmount)],
      [t('receipt.amount'), amount(f?.amount)],
      [t('receipt.currency'), f?.currency],
      [t('receipt.collectionDate'), f?.collectionDate],
      [t('receipt.type'), f?.type],
      [t('receipt.order'), orderFacts(r, base, t)],
      [t('receipt.attempts'), String(r.attempts)],
      [t('receipt.lastChange'), chinaTimeAgo(r.updatedAt, t)],
    ])}
    <p class="note">
      ${f ? t(`receipt.factsFrom.${f.source}`) : t('receipt.factsUnknown')} · ${t('receipt.id')} ${r.receiptId} ·
      ${t('receipt.version')}
      ${r.currentVersion.updateTime || '–'}${r.currentVersion.removed ? ` (${t('receipt.removed')})` : ''}
    </p>
  </section>`;
}

/** A written value as finance reads it: empty for null, money grouped, the rest as sent. */
function shownValue(v: unknown, t: Translate): SafeHtml | string {
  if (v === null || v === undefined || v === '') return html`<span class="note">${t('receipt.empty')}</span>`;
  if (typeof v === 'number' || (typeof v === 'string' && /^-?\d+\.\d+$/.test(v)))
    return html`<span class="money">${groupedAmount(v) ?? String(v)}</span>`;
  if (typeof v === 'boolean') return t(v ? 'common.yes' : 'common.no');
  return String(v);
}

function k3Section(r: ReceiptRecord, frame: Frame): SafeHtml {
  const t = frame.language.t;
  const mapping = frame.mapping ?? DEFAULT_MAPPING;
  const fields = Object.entries(r.row?.fields ?? {});
  return html`<section>
    <h2>${t('receipt.k3Row')}</h2>
    ${facts([
      [t('receipt.fid'), r.order.fid ?? r.row?.fid],
      [t('receipt.entryId'), r.row?.entryId],
      [t('receipt.lastWritten'), r.row?.writtenAt ? chinaTime(r.row.writtenAt) : ''],
    ])}
    <h3>${t('receipt.valuesWritten')}</h3>
    ${table(
      [t('receipt.field'), t('receipt.value')],
      fields.map(([k, v]) => [html`${fieldLabel(mapping, k) ?? ''} <code>${k}</code>`, shownValue(v, t)]),
      t('receipt.nothingWritten'),
    )}
  </section>`;
}

function versionsSection(r: ReceiptRecord, t: Translate): SafeHtml {
  return html`<section>
    <h2>${t('versions.title', { count: r.versions.length })}</h2>
    ${table(
      [
        t('versions.updateTime'),
        t('versions.removed'),
        t('versions.arrivedBy'),
        t('versions.window'),
        t('versions.firstSeen'),
      ],
      r.versions.map((v) => [
        v.updateTime,
        t(v.removed ? 'common.yes' : 'common.no'),
        t(`versions.source.${v.source}`),
        v.windowId ?? '',
        chinaTime(v.seenAt),
      ]),
      t('versions.none'),
    )}
  </section>`;
}

/** A trace id, linked when TRACE_URL_TEMPLATE names the tracing backend's page for it. */
function traceCell(traceId: string | undefined, template: string | undefined): SafeHtml | string {
  if (!traceId) return '';
  const id = html`<code>${traceId}</code>`;
  return template ? html`<a href="${template.replaceAll('{traceId}', traceId)}" rel="noreferrer">${id}</a>` : id;
}

function jobsSection(r: ReceiptRecord, t: Translate, traceUrlTemplate: string | undefined): SafeHtml {
  return html`<section>
    <h2>${t('jobs.title')}</h2>
    ${table(
      [
        t('jobs.queue'),
        t('jobs.job'),
        t('jobs.state'),
        t('jobs.attempts'),
        t('jobs.version'),
        t('jobs.created'),
        t('jobs.finished'),
        t('jobs.error'),
        t('jobs.trace'),
      ],
      r.jobs.map((j) => [
        html`<code class="nowrap">${j.queue}</code>`,
        html`<code>${j.id}</code>`,
        t(`jobState.${j.state}`),
        String(j.attemptsMade),
        `${j.version}${j.removed ? ` (${t('receipt.removed')})` : ''}`,
        chinaTime(j.createdAt),
        chinaTime(j.finishedAt),
        j.error
          ? html`${j.code ? html`<code>${j.code}</code> ` : ''}${reasonBlock(
              { code: j.code ?? '', message: j.error, orderId: r.orderId },
              t,
            )}`
          : '',
        traceCell(j.traceId, traceUrlTemplate),
      ]),
      t('jobs.none'),
    )}
  </section>`;
}

function callsSection(r: ReceiptRecord, t: Translate): SafeHtml {
  return html`<section>
    <h2>${t('calls.title')}</h2>
    ${table(
      [
        t('calls.at'),
        t('calls.about'),
        t('calls.call'),
        t('calls.attempt'),
        t('calls.outcome'),
        'HTTP',
        t('calls.duration'),
        t('calls.message'),
      ],
      r.calls.map((c) => [
        chinaTime(c.at),
        c.about === 'receipt' ? t('calls.thisReceipt') : html`<span class="note">${t('calls.itsOrder')}</span>`,
        html`${c.system} <code>${c.operation}</code>`,
        String(c.attempt),
        html`<span class="outcome ${c.outcome === 'ok' ? 'written' : 'dead-lettered'}"
          >${t(`callOutcome.${c.outcome}`)}</span
        >`,
        c.status === undefined ? '' : String(c.status),
        t('format.ms', { value: c.durationMs }),
        html`${c.errorCode ? html`<code>${c.errorCode}</code> ` : ''}${clip(c.message, 300)}`,
      ]),
      t('calls.none'),
    )}
    <p class="note">${t('calls.explain')}</p>
  </section>`;
}

export function renderReceiptPage(r: ReceiptRecord, frame: Frame): string {
  const t = frame.language.t;
  return layout({
    title: t('receipt.title', { no: r.receiptNo || r.receiptId }),
    ...frame,
    path: `/receipts/${encodeURIComponent(r.receiptId)}`,
    // While a reconcile request waits or runs, the page refreshes itself to show the answer.
    refresh: r.reconcile?.state === 'waiting' || r.reconcile?.state === 'active' ? 5 : false,
    body: html`${summary(r, frame.base, t)}
      <div class="grid2">${k3Section(r, frame)} ${versionsSection(r, t)}</div>
      ${reconcileSection(r, frame.base, t)} ${jobsSection(r, t, frame.traceUrlTemplate)} ${callsSection(r, t)}`,
  });
}

export function renderOrderPage(
  order: { orderId: string; billNo?: string; receipts: LedgerEntry[] },
  frame: Frame,
): string {
  const t = frame.language.t;
  const rows = order.receipts.map((e) => [
    receiptLink(frame.base, e.receiptId, e.receiptNo || e.receiptId),
    outcome(e.status, t),
    e.lastError ? html`<code>${e.lastError.code}</code> ${clip(e.lastError.message, 200)}` : '',
    e.k3EntryId === undefined ? '' : String(e.k3EntryId),
    chinaTime(e.updatedAt),
  ]);
  return layout({
    title: t('order.title', { id: order.orderId }),
    ...frame,
    path: `/receipts/${encodeURIComponent(order.orderId)}`,
    body: html`<section>
      <h2>
        ${t('order.heading', { id: order.orderId })}${order.billNo ? html` · ${order.billNo}` : ''} ·
        ${t('count.receipts', { count: order.receipts.length })}
      </h2>
      ${table(
        [t('lists.receipt'), t('order.outcome'), t('order.error'), 'FEntryID', t('receipt.lastChange')],
        rows,
        t('lists.empty'),
      )}
    </section>`,
  });
}

export function renderNotFoundPage(key: string, frame: Frame): string {
  const t = frame.language.t;
  return layout({
    title: t('search.notFoundTitle'),
    ...frame,
    path: '/receipts',
    body: html`<section>
      <h2>${t('search.notFound', { key })}</h2>
      <p class="note">${t('search.help')}</p>
    </section>`,
  });
}

/** `/receipts` without a query: the search form and what it finds. */
export function renderSearchPage(frame: Frame): string {
  const t = frame.language.t;
  return layout({
    title: t('search.title'),
    ...frame,
    path: '/receipts',
    body: html`<section>
      <h2>${t('search.title')}</h2>
      <form method="get" action="${frame.base}/receipts" class="filters" role="search">
        <input
          type="search"
          name="q"
          size="40"
          placeholder="${t('layout.searchPlaceholder')}"
          aria-label="${t('layout.searchLabel')}"
          required
        />
        <button type="submit">${t('layout.find')}</button>
      </form>
      <p class="note">${t('search.help')}</p>
    </section>`,
  });
}

export function renderFailuresPage(list: FailureList, frame: Frame): string {
  const t = frame.language.t;
  return layout({
    title: t(`lists.${list.queue}`),
    ...frame,
    path: `/dead-letters?queue=${list.queue}`,
    body: failureListSection(list, frame.base, t),
  });
}
