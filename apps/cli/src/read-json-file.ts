import { readFileSync } from 'node:fs';
import { UsageError } from './exit-codes';
import { terminalT } from './output';

/** Reads a JSON object from a file the operator named; anything else is a usage error (exit 2). */
export function readJsonObject(path: string, what: string): Record<string, unknown> {
  const t = terminalT();
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new UsageError(t('terminal.usage.fileUnreadable', { what, path, code }));
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(t('terminal.usage.fileNotJson', { what, path, error: (error as Error).message }));
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const got = Array.isArray(value) ? t('terminal.usage.anArray') : value === null ? 'null' : typeof value;
    throw new UsageError(t('terminal.usage.fileNotObject', { what, path, got }));
  }
  return value as Record<string, unknown>;
}
