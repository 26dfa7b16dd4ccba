import Big from 'big.js';
import { tryParseMoney } from '../money';
import type { Translate } from './translate';

/** `1234567.5` → `1,234,567.50`; grouping by thousands as finance writes it in both languages; exact (no float). */
export function groupedAmount(value: unknown, places = 2): string | undefined {
  const m = tryParseMoney(value);
  if (!m) return undefined;
  const fixed = m.round(places, Big.roundHalfUp).toFixed(places);
  const [int, frac] = fixed.replace('-', '').split('.');
  const grouped = int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${fixed.startsWith('-') ? '-' : ''}${grouped}${frac ? `.${frac}` : ''}`;
}

/** `CNY 1,234.50` / `1,234.50 USD`; the currency code stays as OKKI sends it (ISO 4217). */
export function money(value: unknown, currency: string | undefined, t: Translate): string {
  const amount = groupedAmount(value);
  if (amount === undefined) return value === undefined || value === null ? '' : String(value);
  return currency ? t('format.money', { amount, currency }) : amount;
}

/** "3 min ago" / "3 分钟前"; undefined for a time in the future by more than a minute. */
export function relativeTime(at: Date, now: Date, t: Translate): string {
  const s = Math.round((now.getTime() - at.getTime()) / 1000);
  if (s < -60) return t('format.inFuture');
  return t('format.ago', { duration: duration(Math.max(0, s), t) });
}

/** Seconds as words: `45 s` / `45 秒`, `12 min`, `3 h 5 min`, `4 days`. */
export function duration(seconds: number | null | undefined, t: Translate): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return t('format.unknown');
  const s = Math.round(seconds);
  if (s < 120) return t('format.seconds', { count: s });
  if (s < 7200) return t('format.minutes', { count: Math.round(s / 60) });
  if (s < 172_800) return t('format.hoursMinutes', { h: Math.floor(s / 3600), m: Math.round((s % 3600) / 60) });
  return t('format.days', { count: Math.floor(s / 86_400) });
}
