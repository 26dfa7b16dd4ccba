import type { LedgerEntry } from '@receipt-sync/store';
import { chartsSection, type ChartData } from './chart-data';
import type { FailureList } from './failure-lists';
import { causesSection, failureListSection } from './failure-sections';
import { html } from './html';
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
} from './page-sections';
import type { DashboardStatus } from './status';

export { pageSecurityPolicy } from './layout';

export interface PageInput {
  status: DashboardStatus;
  /** First page of the dead-letter and quarantine lists. */
  failures: FailureList[];
  /** Entries of the error groups' example receipts (for their numbers and replayability). */
  errorSamples: ReadonlyMap<string, LedgerEntry>;
  charts: ChartData | null;
  /** Public path the dashboard is mounted at, '' for the root. */
  base: string;
  /** Per-response CSP nonce for the one inline style and script. */
  nonce: string;
  /** Lag above this is shown in red (the alert threshold). */
  lagWarnSeconds: number;
}

/** The status page; refreshes itself every 30 s without losing the scroll position. */
export function renderPage(input: PageInput): string {
  const { status: s, base } = input;
  return layout({
    title: 'Status',
    base,
    nonce: input.nonce,
    subtitle: `status at ${s.now} (China time) · refreshes every 30 s`,
    refresh: true,
    body: html`${k3cloudBanner(s)} ${summarySection(s, input.lagWarnSeconds)} ${freshnessSection(s)}
    ${incidentsSection(s)} ${chartsSection(input.charts)} ${causesSection(s.errors, input.errorSamples, base)}
    ${input.failures.map((f) => failureListSection(f, base))} ${windowsSection(s)} ${failedCallsSection(s)}
    ${ledgerSection(s)} ${queuesSection(s, base)}`,
  });
}
