import type { RehearsalRequest, StoredRehearsal } from '@receipt-sync/pipeline';
import { REHEARSAL_ACTIONS } from '@receipt-sync/pipeline';
import { chinaTime, html, table, type SafeHtml } from './html';
import type { PageLanguage } from './i18n';
import { layout } from './layout';

export interface RehearsalPageInput {
  request?: RehearsalRequest;
  stored?: StoredRehearsal;
  base: string;
  nonce: string;
  language: PageLanguage;
}

function stateLine(r: RehearsalRequest, input: RehearsalPageInput): SafeHtml {
  const t = input.language.t;
  const asked = t('rehearsal.asked', { at: chinaTime(r.requestedAt), by: r.requestedBy ?? '–' });
  const window = r.window ? ` · ${r.window.start} → ${r.window.end}` : '';
  return html`<p>
      <strong class="${r.state === 'failed' ? 'outcome dead-lettered' : ''}">${t(`rehearsal.${r.state}`)}</strong>
      <span class="note">(${asked}${window})</span>
    </p>
    ${r.error ? html`<p>${r.error}</p>` : ''}`;
}

function report(input: RehearsalPageInput): SafeHtml | string {
  const { stored, base } = input;
  const t = input.language.t;
  if (!stored) return html`<p class="note">${t('rehearsal.notYet')}</p>`;
  const totals = stored.report.totals;
  return html`<h2>${t('rehearsal.totals')} · ${stored.report.window.start} → ${stored.report.window.end}</h2>
    ${table(
      [t('rehearsal.action'), t('rehearsal.receipts')],
      [
        ...REHEARSAL_ACTIONS.map((a) => [t(`rehearsal.actions.${a}`), String(totals[a])]),
        ['Σ', String(totals.receipts)],
      ],
      '',
    )}
    <p>
      <a href="${base}/rehearsal/report">${t('rehearsal.openReport')}</a> ·
      <a href="${base}/rehearsal/report.csv">${t('rehearsal.downloadCsv')}</a>
    </p>`;
}

/** The go-live rehearsal page: the window form, the latest request's state, and the last report's totals with its links. */
export function renderRehearsalPage(input: RehearsalPageInput): string {
  const t = input.language.t;
  const r = input.request;
  const running = r?.state === 'waiting' || r?.state === 'active';
  const body = html`<section>
    <h2>${t('rehearsal.title')}</h2>
    <p class="note">${t('rehearsal.explain')}</p>
    <form class="actions" data-action="rehearse" method="post" action="${input.base}/api/rehearsal">
      <label>${t('rehearsal.from')} <input name="from" placeholder="YYYY-MM-DD HH:mm:ss" /></label>
      <label>${t('rehearsal.to')} <input name="to" placeholder="YYYY-MM-DD HH:mm:ss" /></label>
      <button type="submit" ${running ? html`disabled` : ''}>${t('rehearsal.button')}</button>
    </form>
    <p class="note">${t('rehearsal.blank')}</p>
    ${r ? stateLine(r, input) : ''} ${report(input)}
    <p class="note">${t('rehearsal.shell')} <code>npm run cli -- rehearse --from "…" --to "…"</code></p>
  </section>`;
  return layout({
    title: t('rehearsal.title'),
    base: input.base,
    nonce: input.nonce,
    language: input.language,
    path: '/rehearsal',
    refresh: running ? 3 : undefined,
    body,
  });
}
