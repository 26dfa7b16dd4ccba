import { terminalLocale, translator } from '@receipt-sync/core';
import { cliLoggerFor } from '../context';
import { DOCTOR_CHECKS } from '../doctor/checks';
import { formatResult, formatSkipped, formatSummary, runDoctor } from '../doctor/run-doctor';
import type { DoctorContext } from '../doctor/types';
import { EXIT } from '../exit-codes';
import { printJson, printLine } from '../output';

/**
 * `doctor [--json]` (operating contract): one line per check, `ok` / `warn` / `FAIL` with the fix;
 * last line `doctor: N ok, N warnings, N failed`. Exit 0 when nothing failed, 5 when a check
 * failed; an error of doctor itself ends with exit 1 (main.ts).
 */
export async function doctor(opts: { json?: boolean }): Promise<number> {
  const t = translator(terminalLocale(process.env, process.argv));
  const ctx: DoctorContext = { env: process.env, logger: cliLoggerFor(process.env), t };
  try {
    const report = await runDoctor(DOCTOR_CHECKS, ctx, opts.json ? undefined : (r) => printLine(formatResult(r, t)));
    if (opts.json) {
      printJson(report);
    } else {
      for (const s of report.skipped) printLine(formatSkipped(s, t));
      printLine(formatSummary(report.summary, t));
    }
    return report.summary.failed > 0 ? EXIT.checkFailed : EXIT.ok;
  } finally {
    await Promise.allSettled([ctx.okki?.close(), ctx.k3?.close(), ctx.store?.close()]);
    ctx.redis?.disconnect();
  }
}
