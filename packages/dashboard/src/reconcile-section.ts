import type { ReconcileFinding, ReconcileResult } from '@receipt-sync/pipeline';
import { chinaTime, html, table, type SafeHtml } from './html';
import type { ReceiptRecord } from './receipts/record';
import type { ReconcileState } from './receipts/reconcile';

const NOBODY =
  'No process is taking reconcile requests. The active writer runs them when it has both the OKKI (XIAOMAN_*) and the K3Cloud (KINGDEE_*) settings; `npm start` always does. Until one runs, use the command below.';

function explain(f: ReconcileFinding): string {
  if (!f.fields?.length) return f.reason;
  return f.fields
    .map((d) => `${d.field}: K3Cloud ${JSON.stringify(d.actual)}, expected ${JSON.stringify(d.expected)}`)
    .join('; ');
}

function findings(result: ReconcileResult): SafeHtml {
  if (result.clean)
    return html`<p class="outcome written">Clean: OKKI, K3Cloud and the ledger agree on this version.</p>`;
  return table(
    ['Category', 'Reason', 'FID', 'FEntryID'],
    result.findings.map((f) => [
      html`<span class="outcome dead-lettered">${f.category}</span>`,
      explain(f),
      f.fid === undefined ? '' : String(f.fid),
      f.entryIds?.join(', ') ?? (f.entryId === undefined ? '' : String(f.entryId)),
    ]),
    'No finding.',
  );
}

function fixLines(s: ReconcileState, result: ReconcileResult): SafeHtml | string {
  const fix = result.fix;
  if (!fix) {
    if (!s.fix || result.clean) return '';
    return html`<p class="note">Fix asked, but nothing found is fixable by re-sending the receipt.</p>`;
  }
  return html`<ul>
    ${fix.enqueued.map(
      (e) =>
        html`<li>
          Re-sent through the pipeline (${e.categories.join(', ')}): raw job <code>${e.jobId}</code>; its new write
          appears under Jobs below.
        </li>`,
    )}
    ${fix.skipped.map((k) => html`<li>Not re-sent: ${k.reason}</li>`)}
    ${
      fix.leftForHumans > 0
        ? html`<li>
            ${fix.leftForHumans} finding(s) need a person (duplicated or extra rows are never deleted automatically).
          </li>`
        : ''
    }
  </ul>`;
}

function stateLine(s: ReconcileState): SafeHtml {
  const asked = html`requested
  ${chinaTime(s.requestedAt)}${s.requestedBy ? ` by ${s.requestedBy}` : ''}${s.fix ? ', with fix' : ''}, version
  ${s.window.from}`;
  if (s.state === 'waiting')
    return html`<p><strong>Waiting</strong> <span class="note">(${asked}; ${s.waitingSeconds ?? 0} s so far)</span></p>
      ${s.error ? html`<p>${s.error}</p>` : ''} ${s.unattended ? html`<p class="banner">${NOBODY}</p>` : ''}`;
  if (s.state === 'active') return html`<p><strong>Running</strong> <span class="note">(${asked})</span></p>`;
  const when = s.finishedAt ? `finished ${chinaTime(s.finishedAt)}` : 'finished';
  const label =
    s.state === 'failed' ? html`<strong class="outcome dead-lettered">Failed</strong>` : html`<strong>Done</strong>`;
  return html`<p>${label} <span class="note">(${when}; ${asked})</span></p>
    ${s.error ? html`<p>${s.error}</p>` : ''}`;
}

/** "Reconcile this receipt": the form, the latest request's state and its answer, and the CLI fallback. */
export function reconcileSection(r: ReceiptRecord, base: string): SafeHtml {
  const s = r.reconcile;
  const running = s?.state === 'waiting' || s?.state === 'active';
  const form = r.reconcileCommand
    ? html`<form
        class="actions"
        data-action="reconcile"
        method="post"
        action="${base}/api/receipts/${encodeURIComponent(r.receiptId)}/reconcile"
      >
        <label
          ><input type="checkbox" name="fix" value="true" /> Fix what it finds (send the receipt through the pipeline
          again)</label
        >
        <button type="submit" ${running ? html`disabled` : ''}>Reconcile this receipt</button>
      </form>`
    : html`<span class="note">No version of this receipt is known yet; nothing to reconcile.</span>`;
  return html`<section id="reconcile">
    <div class="section-head">
      <h2>Reconcile</h2>
      ${form}
    </div>
    <p class="note">
      Compares this version in OKKI, the K3Cloud row and the ledger. Runs in the producer, which holds the OKKI and
      K3Cloud clients; with fix, a missing, stale or removed-but-not-flagged row is re-sent through the pipeline
      (K3Cloud rows are never deleted).
    </p>
    ${
      s
        ? html`${stateLine(s)} ${s.result ? html`${findings(s.result)} ${fixLines(s, s.result)}` : ''}`
        : html`<p class="note">Not reconciled from this page yet.</p>`
    }
    ${
      r.reconcileCommand
        ? html`<p class="note">
            From a shell: <code>${r.reconcileCommand}</code> (add --fix to re-send it if K3Cloud differs)
          </p>`
        : ''
    }
  </section>`;
}
