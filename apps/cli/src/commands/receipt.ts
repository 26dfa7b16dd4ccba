import { formatChinaTime, nextStep, reasonText, reconcileReason, type Translate } from '@receipt-sync/core';
import { findByKey, receiptRecord, type ReceiptRecord } from '@receipt-sync/dashboard';
import type { LedgerEntry } from '@receipt-sync/store';
import { loadCliConfig, openState } from '../context';
import { EXIT, UsageError } from '../exit-codes';
import { formatTable, printJson, printLine, terminalT } from '../output';

/** Every time on these lines in China time, as the dashboard shows it ('–' when absent). */
const china = (iso: string | undefined) => (iso ? formatChinaTime(new Date(iso)) : '–');

/** The receipt page's latest reconcile request in one line. */
function reconcileLine(s: NonNullable<ReceiptRecord['reconcile']>, t: Translate): string {
  if (s.state === 'waiting')
    return `${t('terminal.receipt.waiting', { seconds: s.waitingSeconds ?? 0 })}${s.unattended ? t('terminal.receipt.unattended') : ''}`;
  if (s.state === 'active') return t('terminal.receipt.running');
  if (s.state === 'failed' || !s.result)
    return t('terminal.receipt.finishedState', {
      state: t(`jobState.${s.state}`),
      at: china(s.finishedAt),
      error: s.error ?? t('terminal.receipt.noResult'),
    });
  const found = s.result.clean
    ? t('terminal.receipt.clean')
    : s.result.findings.map((f) => `${f.category} (${reconcileReason(f, t)})`).join('; ');
  const fixed = s.result.fix
    ? t('terminal.receipt.fixed', { resent: s.result.fix.enqueued.length, skipped: s.result.fix.skipped.length })
    : '';
  return t('terminal.receipt.foundAt', { found, at: china(s.finishedAt), fixed });
}

function printReceipt(r: ReceiptRecord, t: Translate): void {
  const c = (k: string) => t(`terminal.receipt.columns.${k}`);
  printLine(
    t('terminal.receipt.head', {
      no: r.receiptNo || t('terminal.receipt.noNumber'),
      id: r.receiptId,
      outcome: t(`outcome.${r.outcome}`),
    }),
  );
  if (r.reason) {
    const cause = { code: r.reason.code, message: r.reason.message, orderId: r.orderId };
    const reason = reasonText(cause, t);
    const step = nextStep(cause, t);
    const text = [reason.text, reason.upstream].filter(Boolean).join(' ');
    printLine(t('terminal.receipt.reason', { code: r.reason.code, text, at: china(r.reason.at) }));
    printLine(t('terminal.receipt.nextStep', { where: t(`where.${step.where}`), step: step.text }));
  }
  if (r.facts?.customer) printLine(t('terminal.receipt.customer', { customer: r.facts.customer }));
  printLine(
    t('terminal.receipt.order', {
      orderId: r.orderId || '–',
      fid: r.order.fid ?? r.row?.fid ?? '–',
      billNo: r.order.billNo ?? '–',
    }),
  );
  if (r.row?.entryId !== undefined)
    printLine(t('terminal.receipt.row', { entryId: r.row.entryId, at: china(r.row.writtenAt) }));
  printLine(t('terminal.receipt.attempts', { attempts: r.attempts, at: china(r.updatedAt) }));
  if (r.replay)
    printLine(
      t('terminal.receipt.replay', {
        command: `npm run cli -- dlq replay --queue ${r.replay.queue} --id ${r.replay.deadLetterId}`,
      }),
    );
  if (r.reconcileCommand) printLine(t('terminal.receipt.reconcile', { command: r.reconcileCommand }));
  if (r.reconcile) printLine(t('terminal.receipt.lastReconcile', { line: reconcileLine(r.reconcile, t) }));
  printLine();
  printLine(
    formatTable(
      ['version', 'removed', 'arrivedBy', 'window', 'firstSeen'].map(c),
      r.versions.map((v) => [
        v.updateTime,
        t(v.removed ? 'common.yes' : 'common.no'),
        t(`versions.source.${v.source}`),
        v.windowId,
        china(v.seenAt),
      ]),
    ),
  );
  printLine();
  printLine(
    formatTable(
      ['queue', 'job', 'state', 'attempts', 'finished', 'error'].map(c),
      r.jobs.map((j) => [j.queue, j.id, t(`jobState.${j.state}`), j.attemptsMade, china(j.finishedAt), j.error]),
    ),
  );
  const fields = Object.entries(r.row?.fields ?? {});
  if (fields.length === 0) return;
  printLine();
  printLine(
    formatTable(
      [c('field'), c('value')],
      fields.map(([k, v]) => [k, String(v)]),
    ),
  );
}

function printOrder(orderId: string, billNo: string | undefined, receipts: LedgerEntry[], t: Translate): void {
  const c = (k: string) => t(`terminal.receipt.columns.${k}`);
  printLine(
    t('terminal.receipt.orderHead', {
      orderId,
      billNo: billNo ? t('terminal.receipt.orderBillNo', { billNo }) : '',
      count: receipts.length,
    }),
  );
  printLine(
    formatTable(
      ['receiptNo', 'receiptId', 'outcome', 'error'].map(c),
      receipts.map((e) => [
        e.receiptNo,
        e.receiptId,
        t(`outcome.${e.status}`),
        e.lastError ? `[${e.lastError.code}] ${e.lastError.message}` : '',
      ]),
    ),
  );
}

/**
 * `receipt show <key>`: the receipt (or the order's receipts) for a receipt number, receipt id,
 * K3Cloud FBillNo or OKKI order id; the same record as the dashboard's `/api/receipts/:key`.
 */
export async function receiptShow(key: string, opts: { json?: boolean }): Promise<number> {
  const t = terminalT();
  if (key.trim() === '' || key.length > 200) throw new UsageError(t('terminal.usage.receiptKey'));
  const state = await openState(loadCliConfig());
  try {
    const direct = await receiptRecord(state, key.trim());
    const match = direct ? undefined : await findByKey(state.store, key);
    if (match?.kind === 'none') throw new UsageError(t('terminal.usage.noMatch', { key: JSON.stringify(key) }));
    if (match?.kind === 'order') {
      if (opts.json) printJson(match);
      else printOrder(match.orderId, match.billNo, match.receipts, t);
      return EXIT.ok;
    }
    const record = direct ?? (match?.kind === 'receipt' ? await receiptRecord(state, match.receiptId) : undefined);
    if (!record) throw new UsageError(t('terminal.usage.noMatch', { key: JSON.stringify(key) }));
    if (opts.json) printJson({ kind: 'receipt', receipt: record });
    else printReceipt(record, t);
    return EXIT.ok;
  } finally {
    await state.close();
  }
}
