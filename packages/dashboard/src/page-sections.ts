import { QUEUE_STATES } from '@receipt-sync/core';
import { PIPELINE_QUEUES, type StuckSweepReport } from '@receipt-sync/pipeline';
import { RECEIPT_STATUSES } from '@receipt-sync/core';
import { chinaTime, clip, html, humanDuration, table, type SafeHtml } from './html';
import type { DashboardStatus } from './status';

/** The top of the page: what stops receipts reaching K3Cloud and needs a person now. */
export function k3cloudBanner(s: DashboardStatus): SafeHtml {
  const meta = s.k3cloud.metadata;
  const orders = s.k3cloud.unauditedOrders;
  return html`${
    meta && !meta.ok
      ? html`<div class="banner" role="alert">
          <strong>Nothing is written to K3Cloud:</strong> ${meta.formId}'s metadata lacks the mapped field key(s)
          <code>${meta.unknownKeys.join(', ')}</code> (checked ${chinaTime(meta.checkedAt)}). Add them in K3Cloud or
          name the tenant's keys in MAPPING_FILE; run <code>npm run cli -- doctor</code>.
        </div>`
      : ''
  }${
    orders.length > 0
      ? html`<div class="banner" role="alert">
          <strong>Sales orders left un-audited:</strong> ${orders.map((o) => `${o.billNo} (FID ${o.fid})`).join(', ')}.
          The writer un-audited them to add receipt rows and could not audit them again; audit them in K3Cloud.
        </div>`
      : ''
  }`;
}

export function summarySection(s: DashboardStatus, lagWarnSeconds: number): SafeHtml {
  const lag = s.checkpoint?.lagSeconds;
  const dead = total(s.queues['dead-letter']);
  const quarantined = total(s.queues.quarantine);
  const incidents = s.incidents?.length;
  const card = (label: string, value: string, bad: boolean, note?: string) =>
    html`<div class="card${bad ? ' bad' : ''}">
      <div class="label">${label}</div>
      <div class="value">${value}</div>
      ${note ? html`<div class="note">${note}</div>` : ''}
    </div>`;
  return html`<section class="cards">
    ${card('Checkpoint', s.checkpoint ? s.checkpoint.windowEnd : 'none yet', false, s.checkpoint ? 'China time' : 'no window finished yet')}
    ${card('Checkpoint lag', s.checkpoint ? humanDuration(lag) : '–', typeof lag === 'number' && lag > lagWarnSeconds)}
    ${card('Dead letters', String(dead), dead > 0)} ${card('Quarantined', String(quarantined), quarantined > 0)}
    ${card('Open alerts', incidents === undefined ? 'not monitored' : String(incidents), (incidents ?? 0) > 0)}
    ${s.writer ? card('Writer', s.writer.holder ? 'active' : 'none', !s.writer.holder, s.writer.summary) : ''}
    ${s.stuck ? card('Stuck receipts', String(s.stuck.stuck), s.stuck.stuck > 0, stuckNote(s.stuck)) : ''}
  </section>`;
}

/** The sweep's outcome in words: how many were re-queued, and when it ran. */
function stuckNote(r: StuckSweepReport): string {
  const when = `last sweep ${chinaTime(r.at)}`;
  return r.stuck > 0
    ? `seen over ${humanDuration(r.stuckSeconds)} ago with no job left; ${r.redriven} re-queued from OKKI (${when})`
    : `none seen over ${humanDuration(r.stuckSeconds)} ago without an outcome or a job (${when})`;
}

function total(counts: Record<string, number> | undefined): number {
  return Object.values(counts ?? {}).reduce((a, b) => a + b, 0);
}

export function incidentsSection(s: DashboardStatus): SafeHtml {
  if (s.incidents === null) return html``;
  return html`<section>
    <h2>Open alerts</h2>
    ${table(
      ['Severity', 'Alert', 'Detail', 'Open since'],
      s.incidents.map((i) => [
        html`<span class="sev ${i.severity}">${i.severity}</span>`,
        i.title,
        clip(i.detail),
        chinaTime(i.openedAt),
      ]),
      'No open alerts.',
    )}
  </section>`;
}

export function queuesSection(s: DashboardStatus, base: string): SafeHtml {
  const rows = PIPELINE_QUEUES.map((name) => [
    html`<a href="${base}/queues/queue/${name}">${name}</a>`,
    ...QUEUE_STATES.map((st) => String(s.queues[name]?.[st] ?? 0)),
  ]);
  return html`<section>
    <h2>Queues</h2>
    ${table(['Queue', ...QUEUE_STATES], rows, 'No queues.')}
  </section>`;
}

export function ledgerSection(s: DashboardStatus): SafeHtml {
  return html`<section>
    <h2>Receipts by outcome</h2>
    ${table([...RECEIPT_STATUSES], [RECEIPT_STATUSES.map((st) => String(s.ledger[st] ?? 0))], '')}
  </section>`;
}

export function windowsSection(s: DashboardStatus): SafeHtml {
  const rows = s.windows.map((w) => [
    w.start,
    w.end,
    html`<span class="st ${w.status}">${w.status}</span>`,
    String(w.counts.fetched ?? ''),
    String(w.counts.written ?? ''),
    String(w.counts.unchanged ?? ''),
    String(w.counts.quarantined ?? ''),
    String(w.counts.deadLettered ?? ''),
    chinaTime(w.startedAt),
    clip(w.error, 200),
  ]);
  return html`<section>
    <h2>Latest sync windows</h2>
    ${table(
      ['Start', 'End', 'Status', 'Fetched', 'Written', 'Unchanged', 'Quarantined', 'Dead', 'Started', 'Error'],
      rows,
      'No window has run yet.',
    )}
  </section>`;
}

export function failedCallsSection(s: DashboardStatus): SafeHtml {
  const rows = s.failedCalls.map((c) => [
    chinaTime(c.at),
    c.system,
    c.operation,
    c.outcome,
    c.status === undefined ? '' : String(c.status),
    c.errorCode ?? '',
    clip(c.message, 200),
  ]);
  return html`<section>
    <h2>Recent failed API calls</h2>
    ${table(['At', 'System', 'Operation', 'Outcome', 'HTTP', 'Code', 'Message'], rows, 'No failed call recently.')}
  </section>`;
}

/** p50/p95 freshness of the last hour, by how receipts arrived, and push health (issue: OKKI push). */
export function freshnessSection(s: DashboardStatus): SafeHtml {
  const p = s.push;
  if (!p) return html``;
  const secs = (v: number | undefined) => (v === undefined ? '–' : `${v.toFixed(1)} s`);
  const row = (label: string, f: { count: number; p50?: number; p95?: number }) => [
    label,
    secs(f.p50),
    secs(f.p95),
    String(f.count),
  ];
  return html`<section>
    <h2>Freshness (last hour)</h2>
    <p class="muted">
      K3Cloud-confirmed write time − the receipt's OKKI update_time. Push:
      ${p.configured ? `configured, last message ${p.lastMessageAt ?? 'never'}` : 'not configured (polling only)'}${
        p.configured ? ` · versions polling saw first in the last hour (missed pushes): ${p.missedLastHour}` : ''
      }
    </p>
    ${table(
      ['arrived by', 'p50', 'p95', 'writes'],
      [row('all', p.freshness.all), row('push', p.freshness.push), row('polling window', p.freshness.window)],
      'no writes in the last hour',
    )}
  </section>`;
}
