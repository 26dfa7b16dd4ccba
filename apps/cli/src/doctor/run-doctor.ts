import { describeError, redact, translator, type Translate } from '@receipt-sync/core';

/** Known secrets and `user:password@` in connection strings never reach the report. */
const scrub = (text: string) => String(redact(text)).replace(/\/\/[^/\s@]*:[^/\s@]*@/g, '//[redacted]@');
import type { CheckResult, DoctorCheck, DoctorContext } from './types';

export interface DoctorReport {
  results: CheckResult[];
  /** Checks not run because a check they need failed. */
  skipped: Array<{ name: string; needs: string[] }>;
  summary: { ok: number; warnings: number; failed: number };
}

/**
 * Runs the checks in order. A check whose prerequisites failed (or were skipped) is skipped; a
 * check that throws is reported as failed with the error, so one broken system never hides the
 * others. Every message goes through the secret scrubber.
 */
export async function runDoctor(
  checks: DoctorCheck[],
  ctx: DoctorContext,
  onResult?: (r: CheckResult) => void,
): Promise<DoctorReport> {
  const failed = new Set<string>();
  const report: DoctorReport = { results: [], skipped: [], summary: { ok: 0, warnings: 0, failed: 0 } };
  for (const check of checks) {
    const blockers = (check.needs ?? []).filter((n) => failed.has(n));
    if (blockers.length > 0) {
      failed.add(check.name);
      report.skipped.push({ name: check.name, needs: blockers });
      continue;
    }
    let results: CheckResult[];
    try {
      const out = await check.run(ctx);
      results = Array.isArray(out) ? out : [out];
    } catch (error) {
      results = [
        {
          name: check.name,
          status: 'fail',
          message: ctx.t('terminal.doctor.found.couldNotComplete', { error: describeError(error) }),
          fix: ctx.t('terminal.doctor.fixes.couldNotComplete'),
        },
      ];
    }
    for (const r of results) {
      const clean = { ...r, message: scrub(r.message), ...(r.fix ? { fix: scrub(r.fix) } : {}) };
      report.results.push(clean);
      if (r.status === 'ok') report.summary.ok += 1;
      else if (r.status === 'warn') report.summary.warnings += 1;
      else report.summary.failed += 1;
      onResult?.(clean);
    }
    if (results.some((r) => r.status === 'fail')) failed.add(check.name);
  }
  return report;
}

const english = translator('en');

/** `ok   config: …` / `FAIL k3cloud-field F_X: … — fix: …` (通过 / 警告 / 失败 … — 处理：… in Chinese). */
export function formatResult(r: CheckResult, t: Translate = english): string {
  const fix = r.fix && r.status !== 'ok' ? ` — ${t('terminal.doctor.fix', { fix: r.fix })}` : '';
  return `${t(`terminal.doctor.${r.status}`)} ${r.name}: ${r.message}${fix}`;
}

export function formatSkipped(s: { name: string; needs: string[] }, t: Translate = english): string {
  return t('terminal.doctor.skip', { name: s.name, needs: s.needs.join(', ') });
}

export function formatSummary(s: DoctorReport['summary'], t: Translate = english): string {
  return t('terminal.doctor.summary', { ok: s.ok, warnings: s.warnings, failed: s.failed });
}
