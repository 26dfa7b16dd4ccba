import { formatChinaTime, InvalidInputError, terminalLocale, translator } from '@receipt-sync/core';
import {
  emptyReport,
  mappingLabels,
  rehearsalDeps,
  rehearsalSummary,
  rehearsalWindow,
  rehearse,
  writeRehearsalFiles,
  type RehearsalReport,
} from '@receipt-sync/pipeline';
import { loadCliConfig } from '../context';
import { CouldNotRunError, EXIT } from '../exit-codes';
import { openReaders } from '../open-readers';
import { printJson, printLine, progress } from '../output';

export interface RehearseOptions {
  from?: string;
  to?: string;
  out?: string;
  json?: boolean;
}

/**
 * `rehearse` (operating contract): what a sync would do to every receipt of a window, read from
 * OKKI and K3Cloud with the pipeline's clients and rules, writing nothing anywhere. rehearsal.csv
 * and rehearsal.html go to --out; with --json one line per receipt, the totals last. Exit 0; 1 when
 * it could not run (main.ts).
 */
export async function rehearseCommand(opts: RehearseOptions): Promise<number> {
  const t = translator(terminalLocale(process.env, process.argv));
  const config = loadCliConfig();
  const rt = await openReaders(config, 'rehearse');
  try {
    const window = await rehearsalWindow(rt.store.checkpoints, config.sync, opts).catch((error: unknown) => {
      throw error instanceof InvalidInputError ? new CouldNotRunError(error.issues.join('; ')) : error;
    });
    // Refused credentials end the rehearsal here, before any receipt is read.
    await rt.k3.ensureSession();
    const report: RehearsalReport = window
      ? await rehearse(rehearsalDeps(rt, progress), window)
      : emptyReport(config.sync.startTime ?? '');
    const dir = opts.out ?? `rehearsal-${formatChinaTime(new Date()).replace(/\D/g, '')}`;
    const files = await writeRehearsalFiles(report, dir, mappingLabels(rt.mapping), t);
    if (opts.json) {
      for (const row of report.rows) printJson(row);
      progress(`${files.csv}\n${files.html}`);
    } else {
      printLine(`rehearsal ${report.window.start} → ${report.window.end} (nothing written)`);
      for (const [action, n] of Object.entries(report.totals)) printLine(`  ${action.padEnd(13)} ${n}`);
      printLine(`  ${files.csv}`);
      printLine(`  ${files.html}`);
    }
    printJson(rehearsalSummary(report.totals));
    return EXIT.ok;
  } finally {
    await rt.close();
  }
}
