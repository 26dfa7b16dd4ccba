import { formatChinaTime, nextStep, reasonText, terminalLocale, translator } from '@receipt-sync/core';
import { findByKey, receiptRecord, type ReceiptRecord } from '@receipt-sync/dashboard';
import type { LedgerEntry } from '@receipt-sync/store';
import { loadCliConfig, openState } from '../context';
import { EXIT, UsageError } from '../exit-codes';
import { formatTable, printJson, printLine } from '../output';

/** Every time on these lines in China time, as the dashboard shows it ('–' when absent). */
const china = (iso: string | undefined) => (iso ? formatChinaTime(new Date(iso)) : '–');

/** The receipt page's latest reconcile request in one line. */
function reconcileLine(s: NonNullable<ReceiptRecord['reconcile']>): string {
  if (s.state === 'waiting')
    return `waiting ${s.waitingSeconds ?? 0} s${s.unattended ? ' (no process takes reconcile requests)' : ''}`;
  if (s.state === 'active') return 'running';
  if (s.state === 'failed' || !s.result) return `${s.state} at ${china(s.finishedAt)}: ${s.error ?? 'no result'}`;
  const found = s.result.clean ? 'clean' : s.result.findings.map((f) => `${f.category} (${f.reason})`).join('; ');
  const fixed = s.result.fix ? `; re-sent ${s.result.fix.enqueued.length}, skipped ${s.result.fix.skipped.length}` : '';
  return `${found} at ${china(s.finishedAt)}${fixed}`;
}

function printReceipt(r: ReceiptRecord): void {
  printLine(`receipt ${r.receiptNo || '(no number)'} (id ${r.receiptId}): ${r.outcome}`);
  if (r.reason) {
    const t = translator(terminalLocale(process.env, process.argv));
    const cause = { code: r.reason.code, message: r.reason.message, orderId: r.orderId };
    const reason = reasonText(cause, t);
    const step = nextStep(cause, t);
    printLine(
      `  reason: [${r.reason.code}] ${[reason.text, reason.upstream].filter(Boolean).join(' ')} (at ${china(r.reason.at)})`,
    );
    printLine(`  next step: ${t(`where.${step.where}`)} ${step.text}`);
  }
  printLine(
    `  OKKI order ${r.orderId || '–'} → K3Cloud FID ${r.order.fid ?? r.row?.fid ?? '–'}, FBillNo ${r.order.billNo ?? '–'}`,
  );
  if (r.row?.entryId !== undefined) printLine(`  row FEntryID ${r.row.entryId}, written at ${china(r.row.writtenAt)}`);
  printLine(`  attempts ${r.attempts}, last change ${china(r.updatedAt)} (China time)`);
  if (r.replay)
    printLine(`  replay: npm run cli -- dlq replay --queue ${r.replay.queue} --id ${r.replay.deadLetterId}`);
  if (r.reconcileCommand) printLine(`  reconcile: ${r.reconcileCommand}`);
  if (r.reconcile) printLine(`  last reconcile request: ${reconcileLine(r.reconcile)}`);
  printLine();
  printLine(
    formatTable(
      ['version (update_time)', 'removed', 'arrived by', 'window', 'first seen'],
      r.versions.map((v) => [v.updateTime, v.removed ? 'yes' : 'no', v.source, v.windowId, china(v.seenAt)]),
    ),
  );
  printLine();
  printLine(
    formatTable(
      ['queue', 'job', 'state', 'attempts', 'finished', 'error'],
      r.jobs.map((j) => [j.queue, j.id, j.state, j.attemptsMade, china(j.finishedAt), j.error]),
    ),
  );
  const fields = Object.entries(r.row?.fields ?? {});
  if (fields.length === 0) return;
  printLine();
  printLine(
    formatTable(
      ['field last written', 'value'],
      fields.map(([k, v]) => [k, String(v)]),
    ),
  );
}

function printOrder(orderId: string, billNo: string | undefined, receipts: LedgerEntry[]): void {
  printLine(`OKKI order ${orderId}${billNo ? ` (K3Cloud ${billNo})` : ''}: ${receipts.length} receipt(s)`);
  printLine(
    formatTable(
      ['receipt no', 'receipt id', 'outcome', 'error'],
      receipts.map((e) => [
        e.receiptNo,
        e.receiptId,
        e.status,
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
  if (key.trim() === '' || key.length > 200)
    throw new UsageError('give a receipt number, receipt id, FBillNo or OKKI order id');
  const state = await openState(loadCliConfig());
  try {
    const direct = await receiptRecord(state, key.trim());
    const match = direct ? undefined : await findByKey(state.store, key);
    if (match?.kind === 'none') throw new UsageError(`no receipt or order matches ${JSON.stringify(key)}`);
    if (match?.kind === 'order') {
      if (opts.json) printJson(match);
      else printOrder(match.orderId, match.billNo, match.receipts);
      return EXIT.ok;
    }
    const record = direct ?? (match?.kind === 'receipt' ? await receiptRecord(state, match.receiptId) : undefined);
    if (!record) throw new UsageError(`no receipt or order matches ${JSON.stringify(key)}`);
    if (opts.json) printJson({ kind: 'receipt', receipt: record });
    else printReceipt(record);
    return EXIT.ok;
  } finally {
    await state.close();
  }
}
