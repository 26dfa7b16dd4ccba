import { ReconcileResultSchema, type ReconcileRequest, type ReconcileResult } from '@receipt-sync/pipeline';
import { FIXABLE_CATEGORIES, fixReconcile, type FixDeps, type FixResult } from './fix';
import type { ReconcileDeps } from './gather';
import { reconcile } from './reconcile';
import type { Finding, ReconcileReport } from './types';

/**
 * Answers one operator's "reconcile this receipt": reconciles the request's window, keeps the
 * findings about this receipt (by id, else by number: an extra row may carry only the number),
 * and with `fix` re-sends it through the pipeline when something is fixable. Other receipts of
 * the window are neither reported nor touched: the operator asked about this one.
 */
export async function reconcileReceipt(
  deps: { reconcile: ReconcileDeps; fix: FixDeps; currentVersion?: CurrentVersion },
  request: ReconcileRequest,
): Promise<ReconcileResult> {
  const report = await reconcile(deps.reconcile, await windowFor(request, deps.currentVersion));
  const mine = report.findings.filter((f) => concerns(f, request));
  const fixable = mine.some((f) => FIXABLE_CATEGORIES.includes(f.category));
  const fix = request.fix && fixable ? await fixReconcile(deps.fix, { findings: mine }) : undefined;
  return resultOf(report, mine, fix);
}

/** The receipt's update_time as OKKI has it now (receipt/info), undefined when OKKI no longer returns it. */
export type CurrentVersion = (receiptId: string) => Promise<string | undefined>;

/**
 * The request's window is the version the ledger knew when the operator asked. When OKKI holds a
 * newer version, that version's instant is compared instead: the older one is no longer listed,
 * and a window without the receipt would answer "clean" or "extra" about a receipt that changed.
 */
async function windowFor(request: ReconcileRequest, current?: CurrentVersion): Promise<ReconcileRequest['window']> {
  const now = await current?.(request.receiptId);
  return now && now > request.window.to ? { from: now, to: now } : request.window;
}

function concerns(f: Finding, r: Pick<ReconcileRequest, 'receiptId' | 'receiptNo'>): boolean {
  if (f.receiptId !== undefined) return f.receiptId === r.receiptId;
  return r.receiptNo !== '' && f.receiptNo === r.receiptNo;
}

/** The small answer the receipt page shows; the OKKI payload a finding carries for the fix stays out. */
function resultOf(report: ReconcileReport, findings: Finding[], fix: FixResult | undefined): ReconcileResult {
  const s = report.scanned;
  return ReconcileResultSchema.parse({
    clean: findings.length === 0,
    checkedAt: report.finishedAt,
    window: report.window,
    findings: findings.map(({ source: _source, ...rest }) => rest),
    fix,
    scanned: { okkiReceipts: s.okkiActive + s.okkiRemoved, rows: s.rows, ordersFound: s.ordersFound },
  });
}
