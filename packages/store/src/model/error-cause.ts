import { createHash } from 'node:crypto';

/** One cause of failure: an error code plus its reason with the receipt-specific parts taken out. */
export interface ErrorCause {
  /** Stable short id of (code, template); used in keys and URLs. */
  id: string;
  code: string;
  template: string;
}

const QUOTED = /"[^"]*"|'[^']*'|“[^”]*”|「[^」]*」|`[^`]*`/g;
/** Any word that carries a digit: receipt numbers (HK202504150434), ids, amounts, dates, UUIDs. */
const WITH_DIGIT = /[\p{L}\p{N}_-]*\p{N}(?:[\p{L}\p{N}_.:/-]*[\p{L}\p{N}_])?/gu;

/**
 * The reason without what differs from receipt to receipt, so nine receipts failing for one cause
 * make one group: quoted values become `"…"`, words carrying a digit become `#`.
 * `receipt HK202504150434: receipt has no sales order` → `receipt #: receipt has no sales order`.
 */
export function reasonTemplate(message: string): string {
  return message.replace(QUOTED, '"…"').replace(WITH_DIGIT, '#').replace(/\s+/g, ' ').trim().slice(0, 500);
}

export function errorCause(code: string, message: string): ErrorCause {
  const template = reasonTemplate(message);
  const id = createHash('sha256').update(`${code}\u0000${template}`).digest('hex').slice(0, 16);
  return { id, code, template };
}
