/**
 * Text cleaning for K3Cloud fields. OKKI free text (comment, trade_no) is whatever users typed or
 * imported, so it can carry control characters and, after bad transcoding, lone UTF-16 surrogates
 * that make K3Cloud's JSON parser or SQL Server choke.
 */
const LINE_BREAKS = /[\t\n\v\f\r]+/g;
// eslint-disable-next-line no-control-regex -- C0 controls, DEL and C1 controls, all stripped
const CONTROLS = /[\u0000-\u001F\u007F-\u009F]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * NFC, lone surrogates → U+FFFD, C0/C1 controls stripped, trimmed. Line breaks and tabs become one
 * space rather than vanishing, so "line1\nline2" does not turn into "line1line2" in a remark.
 */
export function normalizeText(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD').normalize('NFC').replace(LINE_BREAKS, ' ').replace(CONTROLS, '').trim();
}

/** Cuts to `max` UTF-16 units (nvarchar counts those) without splitting a surrogate pair. */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}

/** A short, never-throwing rendering of any value for problem messages. */
export function showValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
    case 'number':
    case 'boolean':
      return String(value);
    case 'bigint':
      return `${value}n`;
    case 'undefined':
      return 'undefined';
    case 'object':
      if (value === null) return 'null';
      return Array.isArray(value) ? `an array of ${value.length}` : 'an object';
    default:
      return `a ${typeof value}`;
  }
}
