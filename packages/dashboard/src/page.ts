import type { LedgerEntry } from '@receipt-sync/store';
import { chartsSection, type ChartData } from './chart-data';
import { causesSection } from './failure-sections';
import { html } from './html';
import type { PageLanguage } from './i18n';
import { layout } from './layout';
import {
  failedCallsSection,
  freshnessSection,
  incidentsSection,
  k3cloudBanner,
  ledgerSection,
  queuesSection,
  summarySection,
  windowsSection,
  writerSection,
} from './page-sections';
import type { DashboardStatus } from './status';

export { pageSecurityPolicy } from './layout';

/** Causes shown on the status page; the causes page lists them all. */
export const STATUS_PAGE_CAUSES = 5;

export interface PageInput {
  status: DashboardStatus;
  /** Entries of the error groups' example receipts (for their numbers, orders and replayability). */
  errorSamples: ReadonlyMap<string, LedgerEntry>;
  charts: ChartData | null;
  /** Public path the dashboard is mounted at, '' for the root. */
  base: string;
  /** Per-response CSP nonce for the one inline style and script. */
  nonce: string;
  /** Lag above this is shown in red (the alert threshold). */
  lagWarnSeconds: number;
  language: PageLanguage;
}

/**
 * The status page, one screen: health summary, open alerts, the main causes with their next
 * steps, receipts by outcome, the latest windows and failed calls; the full lists have their own
 * pages (header). Refreshes itself every 30 s without losing the scroll position.
 */
export function renderPage(input: PageInput): string {
  const { status: s, base, language } = input;
  const t = language.t;
  return layout({
    title: t('status.title'),
    base,
    nonce: input.nonce,
    language,
    path: '/',
    refresh: true,
    body: html`<p class="note">${t('status.subtitle', { now: s.now })}</p>
      ${k3cloudBanner(s, t)} ${summarySection(s, input.lagWarnSeconds, base, t)} ${writerSection(s, t)}
      ${incidentsSection(s, t)}
      ${causesSection(s.errors.slice(0, STATUS_PAGE_CAUSES), input.errorSamples, base, t, { total: s.errors.length })}
      <div class="grid2">${ledgerSection(s, t)} ${freshnessSection(s, t)}</div>
      ${windowsSection(s, t)} ${failedCallsSection(s, base, t)} ${chartsSection(input.charts, t)}
      ${queuesSection(s, base, t)}`,
  });
}

/** Every current cause with its next step. */
export function renderCausesPage(input: Omit<PageInput, 'charts' | 'lagWarnSeconds'>): string {
  const { status: s, base, language } = input;
  return layout({
    title: language.t('causes.title'),
    base,
    nonce: input.nonce,
    language,
    path: '/causes',
    body: causesSection(s.errors, input.errorSamples, base, language.t),
  });
}
