import type { LedgerEntry } from '@receipt-sync/store';
import { receiptLink } from './failure-sections';
import type { FailureList } from './failure-lists';
import { failureListSection } from './failure-sections';
import { chinaTime, clip, html, table, type SafeHtml } from './html';
import { layout } from './layout';
import { reconcileSection } from './reconcile-section';
import type { ReceiptRecord } from './receipts/record';

interface Frame {
  base: string;
  nonce: string;
  query?: string;
  /** TRACE_URL_TEMPLATE: a trace id becomes a link to the tracing backend. */
  traceUrlTemplate?: string;
}

const outcome = (status: string) => html`<span class="outcome ${status}">${status}</span>`;

function facts(pairs: Array<[string, unknown]>): SafeHtml {
  return html`<dl class="facts">
    ${pairs.map(
      ([k, v]) =>
        html`<dt>${k}</dt>
          <dd>${v === undefined || v === '' ? html`<span class="note">–</span>` : v}</dd>`,
    )}
  </dl>`;
}

function summary(r: ReceiptRecord): SafeHtml {
  const replay = r.replay
    ? html`<button type="button" data-action="replay" data-queue="${r.replay.queue}" data-id="${r.replay.deadLetterId}">
        Replay from ${r.replay.queue}
      </button>`
    : html`<span class="note">Nothing to replay: the receipt is not in a dead-letter queue.</span>`;
  return html`<section>
    <div class="section-head">
      <h2>Receipt ${r.receiptNo || r.receiptId} ${outcome(r.outcome)}</h2>
      <div class="actions">${replay}</div>
    </div>
    ${
      r.reason
        ? html`<p>
            <code>${r.reason.code}</code> ${r.reason.message} <span class="note">(${chinaTime(r.reason.at)})</span>
          </p>`
        : ''
    }
    ${facts([
      ['Receipt id', r.receiptId],
      ['Receipt no', r.receiptNo],
      [
        'Current version',
        `${r.currentVersion.updateTime || 'unknown'}${r.currentVersion.removed ? ' (removed in OKKI)' : ''}`,
      ],
      ['Attempts', String(r.attempts)],
      ['Last change', chinaTime(r.updatedAt)],
    ])}
  </section>`;
}

/** FDocumentStatus in words (docs/apis/k3cloud.md §7). */
const DOCUMENT_STATUS: Record<string, string> = {
  Z: 'draft (暂存)',
  A: 'created (创建)',
  B: 'in approval (审核中): locked',
  C: 'audited (已审核): locked',
  D: 're-audit (重新审核)',
};

function documentStatus(o: ReceiptRecord['order']): SafeHtml | string {
  if (!o.documentStatus) return '';
  const words = DOCUMENT_STATUS[o.documentStatus] ?? 'unknown status';
  const when = o.statusSeenAt ? ` when the writer last read the order, ${chinaTime(new Date(o.statusSeenAt))}` : '';
  return html`${o.documentStatus} · ${words}<span class="note">${when}</span>`;
}

function k3Section(r: ReceiptRecord, base: string): SafeHtml {
  const o = r.order;
  const cached =
    o.cached === 'hit' ? '' : o.cached === 'miss' ? 'K3Cloud had no such order when last asked' : 'not cached any more';
  const fields = Object.entries(r.row?.fields ?? {});
  return html`<section>
    <h2>K3Cloud</h2>
    ${facts([
      [
        'OKKI order id',
        o.orderId ? html`<a href="${base}/receipts/${encodeURIComponent(o.orderId)}">${o.orderId}</a>` : '',
      ],
      ['Sales order FID', o.fid ?? r.row?.fid],
      ['FBillNo', o.billNo ?? (cached ? html`<span class="note">${cached}</span>` : '')],
      ['Document status', documentStatus(o)],
      ['Row FEntryID', r.row?.entryId],
      ['Last written', r.row?.writtenAt ? chinaTime(r.row.writtenAt) : ''],
    ])}
    <h3>Values last written</h3>
    ${table(
      ['Field', 'Value'],
      fields.map(([k, v]) => [html`<code>${k}</code>`, v === null ? 'null' : String(v)]),
      'Nothing written to K3Cloud yet.',
    )}
  </section>`;
}

function versionsSection(r: ReceiptRecord): SafeHtml {
  return html`<section>
    <h2>Versions seen (${r.versions.length})</h2>
    ${table(
      ['OKKI update_time', 'Removed', 'Arrived by', 'Window', 'First seen'],
      r.versions.map((v) => [v.updateTime, v.removed ? 'yes' : 'no', v.source, v.windowId ?? '', chinaTime(v.seenAt)]),
      'No version recorded (seen before version history existed).',
    )}
  </section>`;
}

/** A trace id, linked when TRACE_URL_TEMPLATE names the tracing backend's page for it. */
function traceCell(traceId: string | undefined, template: string | undefined): SafeHtml | string {
  if (!traceId) return '';
  const id = html`<code>${traceId}</code>`;
  return template ? html`<a href="${template.replaceAll('{traceId}', traceId)}" rel="noreferrer">${id}</a>` : id;
}

function jobsSection(r: ReceiptRecord, traceUrlTemplate: string | undefined): SafeHtml {
  return html`<section>
    <h2>Jobs</h2>
    ${table(
      ['Queue', 'Job', 'State', 'Attempts', 'Version', 'Created', 'Finished', 'Error', 'Trace'],
      r.jobs.map((j) => [
        html`<span class="nowrap">${j.queue}</span>`,
        html`<code>${j.id}</code>`,
        j.state,
        String(j.attemptsMade),
        `${j.version}${j.removed ? ' (removed)' : ''}`,
        chinaTime(j.createdAt),
        chinaTime(j.finishedAt),
        j.error ? html`${j.code ? html`<code>${j.code}</code> ` : ''}${clip(j.error, 300)}` : '',
        traceCell(j.traceId, traceUrlTemplate),
      ]),
      'No job retained for this receipt (completed jobs are removed after their retention period).',
    )}
  </section>`;
}

function callsSection(r: ReceiptRecord): SafeHtml {
  return html`<section>
    <h2>OKKI and K3Cloud calls</h2>
    ${table(
      ['At', 'About', 'System', 'Operation', 'Attempt', 'Outcome', 'HTTP', 'Duration', 'Message'],
      r.calls.map((c) => [
        chinaTime(c.at),
        c.about === 'receipt' ? 'this receipt' : html`<span class="note">its order</span>`,
        c.system,
        c.operation,
        String(c.attempt),
        html`<span class="outcome ${c.outcome === 'ok' ? 'written' : 'dead-lettered'}">${c.outcome}</span>`,
        c.status === undefined ? '' : String(c.status),
        `${c.durationMs} ms`,
        html`${c.errorCode ? html`<code>${c.errorCode}</code> ` : ''}${clip(c.message, 300)}`,
      ]),
      'No call recorded for this receipt or its order in the audit log.',
    )}
    <p class="note">
      Calls naming this receipt (its bank details, the reads and the BatchSave around its write) or only its order
      (order look-ups, writes of the order's other receipts).
    </p>
  </section>`;
}

export function renderReceiptPage(r: ReceiptRecord, frame: Frame): string {
  return layout({
    title: `Receipt ${r.receiptNo || r.receiptId}`,
    ...frame,
    // While a reconcile request waits or runs, the page refreshes itself to show the answer.
    refresh: r.reconcile?.state === 'waiting' || r.reconcile?.state === 'active' ? 5 : false,
    body: html`${summary(r)} ${reconcileSection(r, frame.base)}
      <div class="grid2">${k3Section(r, frame.base)} ${versionsSection(r)}</div>
      ${jobsSection(r, frame.traceUrlTemplate)} ${callsSection(r)}`,
  });
}

export function renderOrderPage(
  order: { orderId: string; billNo?: string; receipts: LedgerEntry[] },
  frame: Frame,
): string {
  const rows = order.receipts.map((e) => [
    receiptLink(frame.base, e.receiptId, e.receiptNo || e.receiptId),
    e.receiptId,
    outcome(e.status),
    e.lastError ? html`<code>${e.lastError.code}</code> ${clip(e.lastError.message, 200)}` : '',
    e.k3EntryId === undefined ? '' : String(e.k3EntryId),
    chinaTime(e.updatedAt),
  ]);
  return layout({
    title: `Order ${order.orderId}`,
    ...frame,
    body: html`<section>
      <h2>
        OKKI order ${order.orderId}${order.billNo ? html` · K3Cloud ${order.billNo}` : ''}: ${order.receipts.length}
        receipt(s)
      </h2>
      ${table(['Receipt no', 'Receipt id', 'Outcome', 'Error', 'FEntryID', 'Last change'], rows, 'No receipt.')}
    </section>`,
  });
}

export function renderNotFoundPage(key: string, frame: Frame): string {
  return layout({
    title: 'Not found',
    ...frame,
    body: html`<section>
      <h2>Nothing matches ${JSON.stringify(key)}</h2>
      <p class="note">
        Search by receipt number (cash_collection_no), receipt id, K3Cloud order number (FBillNo) or OKKI order id. A
        receipt appears here once the producer has fetched it.
      </p>
    </section>`,
  });
}

export function renderFailuresPage(list: FailureList, frame: Frame): string {
  return layout({
    title: list.queue === 'quarantine' ? 'Quarantine' : 'Dead letters',
    ...frame,
    body: failureListSection(list, frame.base),
  });
}
