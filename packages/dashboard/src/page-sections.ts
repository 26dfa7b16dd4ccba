import { QUEUE_STATES, RECEIPT_STATUSES, type Translate } from '@receipt-sync/core';
import { PIPELINE_QUEUES, type StuckSweepReport } from '@receipt-sync/pipeline';
import { chinaTime, chinaTimeAgo, clip, html, humanDuration, table, type SafeHtml } from './html';
import type { DashboardStatus } from './status';

/** The top of the page: what stops receipts reaching K3Cloud and needs a person now. */
export function k3cloudBanner(s: DashboardStatus, t: Translate): SafeHtml {
  const meta = s.k3cloud.metadata;
  const orders = s.k3cloud.unauditedOrders;
  return html`${
    meta && !meta.ok
      ? html`<div class="banner" role="alert">
          <strong>${t('banner.metadataTitle')}</strong>
          ${t('banner.metadata', { form: meta.formId, keys: meta.unknownKeys.join(', '), at: chinaTime(meta.checkedAt) })}
        </div>`
      : ''
  }${
    orders.length > 0
      ? html`<div class="banner" role="alert">
          <strong>${t('banner.unauditedTitle')}</strong>
          ${t('banner.unaudited', { orders: orders.map((o) => `${o.billNo} (FID ${o.fid})`).join(', ') })}
        </div>`
      : ''
  }`;
}

function total(counts: Record<string, number> | undefined): number {
  return Object.values(counts ?? {}).reduce((a, b) => a + b, 0);
}

/** Jobs in a parking queue (dead-letter, quarantine): each job is one receipt version. */
export function parkedJobs(s: DashboardStatus, queue: 'dead-letter' | 'quarantine'): number {
  return total(s.queues[queue]);
}

/**
 * The health summary. Dead letters and quarantine count receipts (the ledger, as the outcome table
 * and the alert do); the note under each says how many queue jobs hold them and why they can differ.
 */
export function summarySection(s: DashboardStatus, lagWarnSeconds: number, base: string, t: Translate): SafeHtml {
  const lag = s.checkpoint?.lagSeconds;
  const dead = s.ledger['dead-lettered'] ?? 0;
  const quarantined = s.ledger.quarantined ?? 0;
  const incidents = s.incidents?.length;
  const card = (label: string, value: string, bad: boolean, note?: string | SafeHtml, href?: string) =>
    html`<div class="card${bad ? ' bad' : ''}">
      <div class="label">${label}</div>
      <div class="value">${href ? html`<a href="${href}">${value}</a>` : value}</div>
      ${note ? html`<div class="note">${note}</div>` : ''}
    </div>`;
  const jobsNote = (receipts: number, jobs: number) =>
    t('summary.jobsNote', { count: jobs }) + (jobs !== receipts ? ` ${t('summary.jobsDiffer')}` : '');
  return html`<section class="cards">
    ${card(
      t('summary.checkpoint'),
      s.checkpoint ? s.checkpoint.windowEnd : t('summary.none'),
      false,
      s.checkpoint ? undefined : t('summary.noWindow'),
    )}
    ${card(t('summary.lag'), s.checkpoint ? humanDuration(lag, t) : '–', typeof lag === 'number' && lag > lagWarnSeconds)}
    ${card(
      t('summary.deadLettered'),
      t('count.receipts', { count: dead }),
      dead > 0,
      jobsNote(dead, parkedJobs(s, 'dead-letter')),
      `${base}/dead-letters?queue=dead-letter`,
    )}
    ${card(
      t('summary.quarantined'),
      t('count.receipts', { count: quarantined }),
      quarantined > 0,
      jobsNote(quarantined, parkedJobs(s, 'quarantine')),
      `${base}/dead-letters?queue=quarantine`,
    )}
    ${card(
      t('summary.alerts'),
      incidents === undefined ? t('summary.notMonitored') : String(incidents),
      (incidents ?? 0) > 0,
    )}
    ${s.stuck ? card(t('summary.stuck'), String(s.stuck.stuck), s.stuck.stuck > 0, stuckNote(s.stuck, t)) : ''}
  </section>`;
}

/** The producer's last stuck-receipts sweep in words: how many were re-queued, and when it ran. */
function stuckNote(r: StuckSweepReport, t: Translate): string {
  const vars = { duration: humanDuration(r.stuckSeconds, t), count: r.redriven, at: chinaTime(r.at) };
  return r.stuck > 0 ? t('summary.stuckNote', vars) : t('summary.stuckNone', vars);
}

/**
 * Which writer process writes (it holds the writer lease), since when, and how many wait as hot
 * standbys; a warning while none does (docs/scaling.md#one-active-writer).
 */
export function writerSection(s: DashboardStatus, t: Translate): SafeHtml {
  const w = s.writer;
  if (!w) return html``;
  const standbys = t('writer.standbys', { count: w.standbys });
  const h = w.holder;
  const line = h
    ? t('writer.active', {
        process: h.process,
        host: h.host,
        pid: h.pid,
        since: chinaTime(new Date(h.sinceMs)),
        epoch: h.epoch,
      })
    : w.lastHeldMs === undefined
      ? t('writer.never')
      : t('writer.vacant', {
          duration: humanDuration((w.nowMs - w.lastHeldMs) / 1000, t),
          since: chinaTime(new Date(w.lastHeldMs)),
        });
  return html`<section class="writer">
    <h2>${t('writer.title')}</h2>
    <p class="${h ? '' : 'bad'}">${line} · ${standbys}</p>
  </section>`;
}

export function incidentsSection(s: DashboardStatus, t: Translate): SafeHtml {
  if (s.incidents === null || s.incidents.length === 0) return html``;
  return html`<section>
    <h2>${t('incidents.title')}</h2>
    ${table(
      [t('incidents.severity'), t('incidents.alert'), t('incidents.detail'), t('incidents.since')],
      s.incidents.map((i) => [
        html`<span class="sev ${i.severity}">${t(`severity.${i.severity}`)}</span>`,
        i.title,
        clip(i.detail),
        chinaTimeAgo(i.openedAt, t),
      ]),
      '',
    )}
  </section>`;
}

export function queuesSection(s: DashboardStatus, base: string, t: Translate): SafeHtml {
  const rows = PIPELINE_QUEUES.map((name) => [
    html`<a href="${base}/queues/queue/${name}"><code>${name}</code></a>`,
    ...QUEUE_STATES.map((st) => String(s.queues[name]?.[st] ?? 0)),
  ]);
  return html`<section>
    <h2>${t('queues.title')}</h2>
    <p class="note">${t('queues.note')}</p>
    ${table([t('queues.queue'), ...QUEUE_STATES.map((st) => t(`jobState.${st}`))], rows, '')}
    <h3>${t('queues.lanes.title')}</h3>
    <p class="note">${t('queues.lanes.note')}</p>
    ${table([t('queues.queue'), t('queues.lanes.lane'), t('queues.lanes.waiting'), t('queues.lanes.oldest')], laneRows(s, t), '')}
  </section>`;
}

/** One row per stage queue and lane: jobs waiting and how long the oldest has waited. */
function laneRows(s: DashboardStatus, t: Translate): Array<Array<SafeHtml | string>> {
  return (['raw', 'ready'] as const).flatMap((queue) =>
    (['live', 'bulk'] as const).map((lane) => {
      const b = s.lanes[queue][lane];
      return [
        html`<code>${queue}</code>`,
        t(`queues.lanes.${lane}`),
        String(b.waiting),
        b.waiting > 0 ? humanDuration(b.oldestSeconds, t) : '—',
      ];
    }),
  );
}

export function ledgerSection(s: DashboardStatus, t: Translate): SafeHtml {
  return html`<section>
    <h2>${t('ledger.title')}</h2>
    ${table(
      RECEIPT_STATUSES.map((st) => t(`outcome.${st}`)),
      [RECEIPT_STATUSES.map((st) => String(s.ledger[st] ?? 0))],
      '',
    )}
  </section>`;
}

/** Columns of window counts that no shown window filled (long-running mode counts nothing per window). */
const COUNT_COLUMNS = ['fetched', 'written', 'unchanged', 'quarantined', 'deadLettered'] as const;

export function windowsSection(s: DashboardStatus, t: Translate, limit = 5): SafeHtml {
  const windows = s.windows.slice(0, limit);
  const counted = COUNT_COLUMNS.filter((c) => windows.some((w) => w.counts[c] !== undefined));
  const rows = windows.map((w) => [
    w.start,
    w.end,
    html`<span class="st ${w.status}">${t(`windowStatus.${w.status}`)}</span>`,
    ...counted.map((c) => String(w.counts[c] ?? '')),
    chinaTime(w.startedAt),
    clip(w.error, 200),
  ]);
  return html`<section>
    <h2>${t('windows.title')}</h2>
    ${counted.length === 0 ? html`<p class="note">${t('windows.noCounts')}</p>` : ''}
    ${table(
      [
        t('windows.start'),
        t('windows.end'),
        t('windows.status'),
        ...counted.map((c) => t(`windows.${c}`)),
        t('windows.started'),
        t('windows.error'),
      ],
      rows,
      t('windows.none'),
    )}
  </section>`;
}

/** A failed call's subjects: the receipts and orders it was about, linked to their pages. */
function subjectLinks(subjects: string[] | undefined, base: string, t: Translate): SafeHtml | string {
  if (!subjects?.length) return html`<span class="note">${t('calls.noSubject')}</span>`;
  return html`${subjects
    .slice(0, 3)
    .map((id, i) => html`${i ? ', ' : ''}<a href="${base}/receipts/${encodeURIComponent(id)}">${id}</a>`)}`;
}

export function failedCallsSection(s: DashboardStatus, base: string, t: Translate, limit = 5): SafeHtml {
  const rows = s.failedCalls
    .slice(0, limit)
    .map((c) => [
      chinaTime(c.at),
      `${c.system} ${c.operation}`,
      subjectLinks(c.subjects, base, t),
      html`<code>${c.errorCode ?? (c.status === undefined ? c.outcome : `HTTP ${c.status}`)}</code>`,
      clip(c.message, 160),
    ]);
  return html`<section>
    <h2>${t('calls.failedTitle')}</h2>
    ${table(
      [t('calls.at'), t('calls.call'), t('calls.about'), t('calls.code'), t('calls.message')],
      rows,
      t('calls.noneFailed'),
    )}
  </section>`;
}

/** p50/p95 freshness of the last hour, by how receipts arrived, and push health. */
export function freshnessSection(s: DashboardStatus, t: Translate): SafeHtml {
  const p = s.push;
  if (!p) return html``;
  const secs = (v: number | undefined) => (v === undefined ? '–' : t('format.secondsExact', { value: v.toFixed(1) }));
  const row = (label: string, f: { count: number; p50?: number; p95?: number }) => [
    label,
    secs(f.p50),
    secs(f.p95),
    String(f.count),
  ];
  return html`<section>
    <h2>${t('freshness.title')}</h2>
    <p class="note">
      ${t('freshness.explain')}
      ${
        p.configured
          ? html`${t('freshness.pushLast')} ${p.lastMessageAt ? chinaTimeAgo(p.lastMessageAt, t) : t('freshness.never')}
            · ${t('freshness.missed', { count: p.missedLastHour })}`
          : t('freshness.notConfigured')
      }
    </p>
    ${table(
      [t('freshness.arrivedBy'), 'p50', 'p95', t('freshness.writes')],
      [
        row(t('freshness.all'), p.freshness.all),
        row(t('freshness.push'), p.freshness.push),
        row(t('freshness.window'), p.freshness.window),
      ],
      t('freshness.none'),
    )}
  </section>`;
}
