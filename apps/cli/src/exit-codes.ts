import { ConfigError, errorText, redact, type Translate } from '@receipt-sync/core';

/** The CLI's exit codes; main.ts and `--help` document the same list. */
export const EXIT = {
  ok: 0,
  /** Could not run: configuration, Redis (or MongoDB) unreachable, an API failing. */
  couldNotRun: 1,
  /** Bad arguments or a bad input file. */
  badInput: 2,
  /** `mapping preview`: the receipt breaks data-quality rules. */
  qualityProblems: 3,
  /** `reconcile`: differences found (also after `--fix`, so scripts notice). */
  differences: 4,
  /** `doctor`: a check failed (operating contract). */
  checkFailed: 5,
} as const;

/** The exit codes as `--help` lists them, in the terminal's language. */
export function exitCodesHelp(t: Translate): string {
  return `\n${t('terminal.help.exitCodes')}`;
}

/** Something the operator typed or pointed at is wrong (exit 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A dependency the command needs is not there (exit 1), e.g. Redis down. */
export class CouldNotRunError extends Error {
  override readonly name = 'CouldNotRunError';
}

/** Exit code and the one message to print for an error that ended a command. Never prints a secret. */
export function describeFailure(error: unknown, t: Translate): { code: number; message: string } {
  const text = (m: string) => String(redact(m));
  if (error instanceof UsageError) return { code: EXIT.badInput, message: text(error.message) };
  // ConfigError names the variables and what is wrong, never their values (config/load.ts)
  if (error instanceof ConfigError) return { code: EXIT.couldNotRun, message: text(errorText(error, t)) };
  if (error instanceof Error) return { code: EXIT.couldNotRun, message: text(error.message) };
  return { code: EXIT.couldNotRun, message: text(String(error)) };
}
