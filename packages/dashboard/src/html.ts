import { duration, formatChinaTime, relativeTime, type Translate } from '@receipt-sync/core';

/** Markup that is already safe; everything else interpolated into `html` is escaped. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

function render(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(String(value));
}

/**
 * Template tag that escapes every interpolated value (text and attribute values alike) unless it is
 * SafeHtml, so receipt numbers or error messages carrying `<script>` render as text.
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** A table with a header row; `empty` is shown as a single row when there is no data. */
export function table(headers: readonly string[], rows: readonly unknown[][], empty: string): SafeHtml {
  const body = rows.length
    ? rows.map(
        (cells) =>
          html`<tr>
            ${cells.map((c) => html`<td>${c}</td>`)}
          </tr>`,
      )
    : html`<tr>
        <td class="empty" colspan="${headers.length}">${empty}</td>
      </tr>`;
  return html`<table>
    <thead>
      <tr>
        ${headers.map((h) => html`<th>${h}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${body}
    </tbody>
  </table>`;
}

/** An ISO instant or Date as China time (the time operators and K3Cloud use); '' when unreadable. */
export function chinaTime(value: string | Date | undefined): string {
  if (value === undefined) return '';
  const d = typeof value === 'string' ? new Date(value) : value;
  return Number.isNaN(d.getTime()) ? String(value) : formatChinaTime(d);
}

export function humanDuration(seconds: number | null | undefined, t: Translate): string {
  return duration(seconds, t);
}

/** China time with "(3 min ago)" after it, for times where the distance matters (last push, last change). */
export function chinaTimeAgo(value: string | Date | undefined, t: Translate, now = new Date()): SafeHtml | string {
  if (value === undefined) return '';
  const d = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(d.getTime())) return String(value);
  return html`${formatChinaTime(d)} <span class="note">(${relativeTime(d, now, t)})</span>`;
}

/** Long upstream messages are cut for the table; the full text stays in the JSON API and Bull Board. */
export function clip(text: string | undefined, max = 300): string {
  if (!text) return '';
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
