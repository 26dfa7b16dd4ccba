import { InvalidInputError } from '@receipt-sync/core';
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
import { formatTable, printJson, printLine, progress } from '../output';

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
    else printHuman(report, fix);
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

function explain(f: Finding): string {
  if (!f.fields?.length) return f.reason;
  return f.fields
    .map((d) => `${d.field}: K3Cloud ${JSON.stringify(d.actual)}, expected ${JSON.stringify(d.expected)}`)
    .join('; ');
}

function printHuman(report: ReconcileReport, fix: FixResult | undefined): void {
  const s = report.scanned;
  printLine(`reconcile ${report.window.from} → ${report.window.to}`);
  printLine(
    `  OKKI ${s.okkiActive} active, ${s.okkiRemoved} removed${s.okkiInvalid ? `, ${s.okkiInvalid} unreadable` : ''}; ` +
      `${s.ordersFound} of ${s.orders} sales orders found; ${s.rows} rows read (${s.ignoredRows} not ours, ignored); ${s.ledgerEntries} ledger entries`,
  );
  if (report.clean) {
    printLine('  clean: K3Cloud and the ledger match OKKI');
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
      ['category', 'receipt', 'id', 'order', 'FID', 'FEntryID', 'reason'],
      report.findings.map((f) => [
        f.category,
        f.receiptNo,
        f.receiptId,
        f.orderId,
        f.fid,
        f.entryIds?.join(',') ?? f.entryId,
        explain(f),
      ]),
      160,
    ),
  );
  if (!fix) return;
  printLine();
  printLine(
    `--fix: ${fix.enqueued.length} receipt${fix.enqueued.length === 1 ? '' : 's'} re-enqueued; the running pipeline writes them`,
  );
  for (const e of fix.enqueued) printLine(`  ${e.receiptNo} (${e.categories.join(', ')}) → raw job ${e.jobId}`);
  for (const k of fix.skipped) printLine(`  ${k.receiptNo}: not re-enqueued (${k.reason})`);
  if (fix.leftForHumans > 0)
    printLine(
      `  ${fix.leftForHumans} finding${fix.leftForHumans === 1 ? '' : 's'} (duplicated, extra, ledger-mismatch) need a person; K3Cloud rows are never deleted automatically`,
    );
}
