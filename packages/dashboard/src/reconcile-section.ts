import { reconcileReason, type Translate } from '@receipt-sync/core';
import type { ReconcileFinding, ReconcileResult } from '@receipt-sync/pipeline';
import { chinaTime, html, table, type SafeHtml } from './html';
import type { ReceiptRecord } from './receipts/record';
import type { ReconcileState } from './receipts/reconcile';

function explain(f: ReconcileFinding, t: Translate): string {
  if (!f.fields?.length) return reconcileReason(f, t);
  return f.fields
    .map((d) =>
      t('reconcile.difference', {
        field: d.field,
        actual: JSON.stringify(d.actual),
        expected: JSON.stringify(d.expected),
      }),
    )
    .join('; ');
}

function findings(result: ReconcileResult, t: Translate): SafeHtml {
  if (result.clean) return html`<p class="outcome written">${t('reconcile.clean')}</p>`;
  return table(
    [t('reconcile.category'), t('reconcile.reason'), 'FID', 'FEntryID'],
    result.findings.map((f) => [
      html`<span class="outcome dead-lettered"><code>${f.category}</code></span>`,
      explain(f, t),
      f.fid === undefined ? '' : String(f.fid),
      f.entryIds?.join(', ') ?? (f.entryId === undefined ? '' : String(f.entryId)),
    ]),
    t('reconcile.noFinding'),
  );
}

function fixLines(s: ReconcileState, result: ReconcileResult, t: Translate): SafeHtml | string {
  const fix = result.fix;
  if (!fix) {
    if (!s.fix || result.clean) return '';
    return html`<p class="note">${t('reconcile.nothingFixable')}</p>`;
  }
  return html`<ul>
    ${fix.enqueued.map(
      (e) => html`<li>${t('reconcile.resent', { categories: e.categories.join(', ') })} <code>${e.jobId}</code></li>`,
    )}
    ${fix.skipped.map((k) => html`<li>${t('reconcile.notResent')} ${reconcileReason(k, t)}</li>`)}
    ${fix.leftForHumans > 0 ? html`<li>${t('reconcile.forHumans', { count: fix.leftForHumans })}</li>` : ''}
  </ul>`;
}

function stateLine(s: ReconcileState, t: Translate): SafeHtml {
  const asked = t('reconcile.asked', {
    at: chinaTime(s.requestedAt),
    by: s.requestedBy ?? '–',
    version: s.window.from,
  });
  const fixNote = s.fix ? ` · ${t('reconcile.withFix')}` : '';
  if (s.state === 'waiting')
    return html`<p>
        <strong>${t('reconcile.waiting')}</strong>
        <span class="note">(${asked}${fixNote}; ${t('format.seconds', { count: s.waitingSeconds ?? 0 })})</span>
      </p>
      ${s.error ? html`<p>${s.error}</p>` : ''}
      ${s.unattended ? html`<p class="banner">${t('reconcile.nobody')}</p>` : ''}`;
  if (s.state === 'active')
    return html`<p><strong>${t('reconcile.running')}</strong> <span class="note">(${asked}${fixNote})</span></p>`;
  const when = s.finishedAt ? t('reconcile.finishedAt', { at: chinaTime(s.finishedAt) }) : t('reconcile.finished');
  const label =
    s.state === 'failed'
      ? html`<strong class="outcome dead-lettered">${t('reconcile.failed')}</strong>`
      : html`<strong>${t('reconcile.done')}</strong>`;
  return html`<p>${label} <span class="note">(${when}; ${asked}${fixNote})</span></p>
    ${s.error ? html`<p>${s.error}</p>` : ''}`;
}

/** "Reconcile this receipt": the form, the latest request's state and its answer, and the CLI fallback. */
export function reconcileSection(r: ReceiptRecord, base: string, t: Translate): SafeHtml {
  const s = r.reconcile;
  const running = s?.state === 'waiting' || s?.state === 'active';
  const form = r.reconcileCommand
    ? html`<form
        class="actions"
        data-action="reconcile"
        method="post"
        action="${base}/api/receipts/${encodeURIComponent(r.receiptId)}/reconcile"
      >
        <label><input type="checkbox" name="fix" value="true" /> ${t('reconcile.fixLabel')}</label>
        <button type="submit" ${running ? html`disabled` : ''}>${t('reconcile.button')}</button>
      </form>`
    : html`<span class="note">${t('reconcile.noVersion')}</span>`;
  return html`<section id="reconcile">
    <div class="section-head">
      <h2>${t('reconcile.title')}</h2>
      ${form}
    </div>
    <p class="note">${t('reconcile.explain')}</p>
    ${
      s
        ? html`${stateLine(s, t)} ${s.result ? html`${findings(s.result, t)} ${fixLines(s, s.result, t)}` : ''}`
        : html`<p class="note">${t('reconcile.notYet')}</p>`
    }
    ${r.reconcileCommand ? html`<p class="note">${t('reconcile.shell')} <code>${r.reconcileCommand}</code></p>` : ''}
  </section>`;
}
