import { InvalidInputError, reconcileReason, type Translate } from '@receipt-sync/core';
import {
  checkWindow,
  fixReconcile,
  reconcile,
  reconcileDeps,
  type Finding,
  type FixResult,
  type ReconcileReport,
} from '@receipt-sync/reconcile';
import { loadCliConfig } from '../context';
import { EXIT, UsageError } from '../exit-codes';
import { openRuntime } from '../open-runtime';
import { formatTable, printJson, printLine, progress, terminalT } from '../output';

export interface ReconcileOptions {
  from: string;
  to: string;
  fix?: boolean;
  /** `--no-scan-ledger` sets false. */
  scanLedger?: boolean;
  /** `--no-bank`: skip /receipt/info (one OKKI call per receipt with a row); bank fields are then not compared. */
  bank?: boolean;
  json?: boolean;
}

/** `reconcile`: differences between OKKI, K3Cloud and the ledger; exit 4 when there are any. */
export async function reconcileCommand(opts: ReconcileOptions): Promise<number> {
  const window = { from: opts.from, to: opts.to };
  try {
    checkWindow(window);
  } catch (error) {
    if (error instanceof InvalidInputError)
      throw new UsageError(error.issues.map((i) => i.replace(/^from/, '--from').replace(/^to/, '--to')).join('; '));
    throw error;
  }
  const config = loadCliConfig();
  const rt = await openRuntime(config, 'reconcile');
  try {
    const report = await reconcile(
      reconcileDeps(rt, { bank: opts.bank, scanLedger: opts.scanLedger, onProgress: progress }),
      window,
    );
    const fix =
      opts.fix && !report.clean
        ? await fixReconcile({ queues: rt.queues, ledger: rt.store.ledger }, report)
        : undefined;
    if (opts.json) printJson({ ...report, findings: report.findings.map(withoutSource), ...(fix ? { fix } : {}) });
    else printHuman(report, fix, terminalT());
    return report.clean ? EXIT.ok : EXIT.differences;
  } finally {
    await rt.close();
  }
}

/** The OKKI receipt rides along for --fix; printed reports stay readable without it. */
function withoutSource(f: Finding): Omit<Finding, 'source'> {
  const { source: _source, ...rest } = f;
  return rest;
}

function explain(f: Finding, t: Translate): string {
  if (!f.fields?.length) return reconcileReason(f, t);
  return f.fields
    .map((d) =>
      t('terminal.reconcile.difference', {
        field: d.field,
        actual: JSON.stringify(d.actual),
        expected: JSON.stringify(d.expected),
      }),
    )
    .join('; ');
}

function printHuman(report: ReconcileReport, fix: FixResult | undefined, t: Translate): void {
  const s = report.scanned;
  printLine(t('terminal.reconcile.head', { from: report.window.from, to: report.window.to }));
  printLine(
    t('terminal.reconcile.scanned', {
      active: s.okkiActive,
      removed: s.okkiRemoved,
      invalid: s.okkiInvalid ? t('terminal.reconcile.invalid', { count: s.okkiInvalid }) : '',
      found: s.ordersFound,
      orders: s.orders,
      rows: s.rows,
      ignored: s.ignoredRows,
      ledger: s.ledgerEntries,
    }),
  );
  if (report.clean) {
    printLine(t('terminal.reconcile.clean'));
    return;
  }
  printLine(
    `  ${Object.entries(report.counts)
      .filter(([, n]) => n > 0)
      .map(([c, n]) => `${c} ${n}`)
      .join(', ')}`,
  );
  printLine();
  printLine(
    formatTable(
      ['category', 'receipt', 'id', 'order', 'FID', 'FEntryID', 'reason'].map((c) =>
        t(`terminal.reconcile.columns.${c}`),
      ),
      report.findings.map((f) => [
        f.category,
        f.receiptNo,
        f.receiptId,
        f.orderId,
        f.fid,
        f.entryIds?.join(',') ?? f.entryId,
        explain(f, t),
      ]),
      160,
    ),
  );
  if (!fix) return;
  printLine();
  printLine(t('terminal.reconcile.fixed', { count: fix.enqueued.length }));
  for (const e of fix.enqueued)
    printLine(t('terminal.reconcile.enqueued', { no: e.receiptNo, categories: e.categories.join(', '), job: e.jobId }));
  for (const k of fix.skipped)
    printLine(t('terminal.reconcile.skipped', { no: k.receiptNo, reason: reconcileReason(k, t) }));
  if (fix.leftForHumans > 0) printLine(t('terminal.reconcile.forHumans', { count: fix.leftForHumans }));
}
