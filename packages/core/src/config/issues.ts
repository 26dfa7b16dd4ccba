import type { z } from 'zod';
import { ConfigError, type ConfigIssue } from '../errors';
import { configZhCN } from '../i18n/locales/terminal-zh-CN';
import { terminalLocale } from '../i18n/locale';
import { translator, type Translate } from '../i18n/translate';

/** The problems the catalogues can say (`config.problems.*`); a schema's own message naming one is that problem. */
const PROBLEMS = new Set(Object.keys(configZhCN.problems));

function builtIn(issue: z.core.$ZodIssue, raw: Record<string, unknown>, variable: string): ConfigIssue {
  const other = { variable, problem: 'other', params: { message: issue.message } };
  switch (issue.code) {
    case 'invalid_type':
      if (raw[variable] === undefined) return { variable, problem: 'required' };
      if (issue.expected === 'int') return { variable, problem: 'wholeNumber' };
      return issue.expected === 'number' ? { variable, problem: 'number' } : other;
    case 'too_small':
      if (issue.origin === 'number')
        return issue.minimum === 0 && !issue.inclusive
          ? { variable, problem: 'positive' }
          : { variable, problem: 'min', params: { min: issue.minimum } };
      return issue.origin === 'string' && Number(issue.minimum) <= 1 ? { variable, problem: 'minLength' } : other;
    case 'too_big':
      if (issue.origin === 'number') return { variable, problem: 'max', params: { max: issue.maximum } };
      return issue.origin === 'string' ? { variable, problem: 'maxLength', params: { max: issue.maximum } } : other;
    case 'invalid_value':
      return { variable, problem: 'oneOf', params: { values: issue.values.map(String).join(', ') } };
    default:
      return other;
  }
}

/**
 * A zod error over environment variables as issues the catalogues can say. A schema's custom message
 * is a problem key (`httpUrl`, `chinaTime`, …); zod's own checks map by code; anything else keeps
 * zod's words (`other`). `raw` tells "not set" from "set but wrong"; values are never copied.
 */
export function configIssuesFromZod(error: z.ZodError, raw: Record<string, unknown>): ConfigIssue[] {
  return error.issues.map((issue) => {
    const variable = issue.path.join('.') || '(environment)';
    if (PROBLEMS.has(issue.message)) return { variable, problem: issue.message };
    return builtIn(issue, raw, variable);
  });
}

/** `KINGDEE_BATCH_SIZE must be at least 1` / `KINGDEE_BATCH_SIZE 不能小于 1`. */
export function configIssueText(issue: ConfigIssue, t: Translate): string {
  return t('config.issue', {
    variable: issue.variable,
    problem: t(`config.problems.${issue.problem}`, issue.params),
  });
}

const english = translator('en');

/** A ConfigError whose message (English, for logs) and structured issues say the same. */
export function configErrorOf(issues: ConfigIssue[]): ConfigError {
  return new ConfigError(
    issues.map((i) => configIssueText(i, english)),
    { configIssues: issues },
  );
}

/**
 * What an operator reads for an error that stopped a start-up or a command: a ConfigError as its
 * variables and problems in the reader's language, then how to fix them; anything else, its message.
 */
export function errorText(error: unknown, t: Translate): string {
  if (error instanceof ConfigError) {
    const lines = error.configIssues?.map((i) => configIssueText(i, t)) ?? error.issues;
    return [t('config.invalid'), ...lines.map((l) => `  - ${l}`), t('config.fix')].join('\n');
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * `producer could not start: …` in the terminal's language (`--lang`, LC_ALL, LC_MESSAGES, LANG):
 * what a service process prints before it exits 1.
 */
export function startFailureText(
  name: string,
  error: unknown,
  env: Record<string, string | undefined> = process.env,
  argv: readonly string[] = process.argv,
): string {
  const t = translator(terminalLocale(env, argv));
  return t('terminal.start.appFailed', { name, error: errorText(error, t) });
}
