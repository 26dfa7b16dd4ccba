import { createHash } from 'node:crypto';

/** One cause of failure: an error code plus its reason with the receipt-specific parts taken out. */
export interface ErrorCause {
  /** Stable short id of (code, template); used in keys and URLs. */
  id: string;
  code: string;
  template: string;
}

const QUOTED = /"[^"]*"|'[^']*'|“[^”]*”|「[^」]*」|`[^`]*`/g;
/** A word of letters, digits and inner separators (`HK202504150434`, `12.50`, `2025-04-15`, `K3Cloud`). */
const WORD = /[\p{L}\p{N}_-]*\p{N}(?:[\p{L}\p{N}_.:/-]*[\p{L}\p{N}_])?/gu;

/**
 * Receipt-specific when it is a number, or carries at least two digits (receipt and order numbers,
 * ids, amounts, dates, UUIDs); a name with one digit (`K3Cloud`) is part of the reason.
 */
function isSpecific(word: string): boolean {
  return /^[\p{N}.,:/-]+$/u.test(word) || (word.match(/\p{N}/gu) ?? []).length >= 2;
}

/**
 * The reason without what differs from receipt to receipt, so nine receipts failing for one cause
 * make one group: quoted values become `"…"`, words carrying a digit become `#`.
 * `receipt HK202504150434: receipt has no sales order` → `receipt #: receipt has no sales order`.
 */
export function reasonTemplate(message: string): string {
  return message
    .replace(QUOTED, '"…"')
    .replace(WORD, (word) => (isSpecific(word) ? '#' : word))
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 500);
}

export function errorCause(code: string, message: string): ErrorCause {
  const template = reasonTemplate(message);
  const id = createHash('sha256').update(`${code}\u0000${template}`).digest('hex').slice(0, 16);
  return { id, code, template };
}
