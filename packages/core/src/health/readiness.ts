import { redactText } from '../logger';
import { withTimeout } from './with-timeout';

export type ReadinessCheck = () => Promise<void>;
export interface ReadinessReport {
  ready: boolean;
  /** `ok`, or `error: <message>` — one line, no stack, secrets scrubbed. */
  checks: Record<string, string>;
}

const MAX_MESSAGE = 300;

/**
 * Health endpoints are unauthenticated, so an upstream message must not carry credentials:
 * known secrets, bearer tokens and `user:password@` in connection strings (Redis, MongoDB) go
 * through the logger's scrubber (redactText).
 */
export function publicMessage(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  const firstLine = (raw.split('\n')[0] ?? '').trim() || (error instanceof Error ? error.name : 'failed');
  const scrubbed = redactText(firstLine);
  return scrubbed.length > MAX_MESSAGE ? `${scrubbed.slice(0, MAX_MESSAGE)}…` : scrubbed;
}

/** Runs every check in parallel, each bounded by `timeoutMs`. Never rejects. */
export async function runReadinessChecks(
  checks: Record<string, ReadinessCheck>,
  timeoutMs: number,
): Promise<ReadinessReport> {
  const names = Object.keys(checks);
  const results = await Promise.allSettled(
    // Promise.resolve().then(...) turns a check that throws synchronously into a rejection.
    names.map((name) =>
      withTimeout(
        Promise.resolve().then(() => checks[name]!()),
        timeoutMs,
        `check ${name}`,
      ),
    ),
  );
  const report: ReadinessReport = { ready: true, checks: {} };
  results.forEach((result, i) => {
    const name = names[i]!;
    if (result.status === 'fulfilled') {
      report.checks[name] = 'ok';
    } else {
      report.ready = false;
      report.checks[name] = `error: ${publicMessage(result.reason)}`;
    }
  });
  return report;
}
