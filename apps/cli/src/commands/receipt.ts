import { findByKey, receiptRecord, type ReceiptRecord } from '@receipt-sync/dashboard';
import type { LedgerEntry } from '@receipt-sync/store';
import { loadCliConfig, openState } from '../context';
import { EXIT, UsageError } from '../exit-codes';
import { formatTable, printJson, printLine } from '../output';

/** The receipt page's latest reconcile request in one line. */
function reconcileLine(s: NonNullable<ReceiptRecord['reconcile']>): string {
  if (s.state === 'waiting')
    return `waiting ${s.waitingSeconds ?? 0} s${s.unattended ? ' (no process takes reconcile requests)' : ''}`;
  if (s.state === 'active') return 'running';
  if (s.state === 'failed' || !s.result) return `${s.state} at ${s.finishedAt ?? '–'}: ${s.error ?? 'no result'}`;
  const found = s.result.clean ? 'clean' : s.result.findings.map((f) => `${f.category} (${f.reason})`).join('; ');
  const fixed = s.result.fix ? `; re-sent ${s.result.fix.enqueued.length}, skipped ${s.result.fix.skipped.length}` : '';
  return `${found} at ${s.finishedAt ?? '–'}${fixed}`;
}

function printReceipt(r: ReceiptRecord): void {
  printLine(`receipt ${r.receiptNo || '(no number)'} (id ${r.receiptId}): ${r.outcome}`);
  if (r.reason) printLine(`  reason: [${r.reason.code}] ${r.reason.message} (at ${r.reason.at})`);
  printLine(
    `  OKKI order ${r.orderId || '–'} → K3Cloud FID ${r.order.fid ?? r.row?.fid ?? '–'}, FBillNo ${r.order.billNo ?? '–'}`,
  );
  if (r.row?.entryId !== undefined) printLine(`  row FEntryID ${r.row.entryId}, written at ${r.row.writtenAt ?? '–'}`);
  printLine(`  attempts ${r.attempts}, last change ${r.updatedAt}`);
  if (r.replay)
    printLine(`  replay: npm run cli -- dlq replay --queue ${r.replay.queue} --id ${r.replay.deadLetterId}`);
  if (r.reconcileCommand) printLine(`  reconcile: ${r.reconcileCommand}`);
  if (r.reconcile) printLine(`  last reconcile request: ${reconcileLine(r.reconcile)}`);
  printLine();
  printLine(
    formatTable(
      ['version (update_time)', 'removed', 'arrived by', 'window', 'first seen'],
      r.versions.map((v) => [v.updateTime, v.removed ? 'yes' : 'no', v.source, v.windowId, v.seenAt]),
    ),
  );
  printLine();
  printLine(
    formatTable(
      ['queue', 'job', 'state', 'attempts', 'finished', 'error'],
      r.jobs.map((j) => [j.queue, j.id, j.state, j.attemptsMade, j.finishedAt, j.error]),
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
