/**
 * OKKI and K3Cloud both speak China wall-clock time without an offset ("2025-04-15 17:47:13",
 * docs/apis/okki.md §3 `now`). Asia/Shanghai has had no DST since 1991, so a fixed +08:00 is exact.
 */
const OFFSET_MS = 8 * 3600 * 1000;
const STAMP = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2}))?$/;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `YYYY-MM-DD HH:mm:ss` in Asia/Shanghai. */
export function formatChinaTime(date: Date): string {
  const d = new Date(date.getTime() + OFFSET_MS);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  );
}

/** `YYYY-MM-DD` in Asia/Shanghai. */
export function formatChinaDate(date: Date): string {
  return formatChinaTime(date).slice(0, 10);
}

/**
 * Parses `YYYY-MM-DD HH:mm:ss` (or `YYYY-MM-DDTHH:mm:ss`, or date-only as 00:00:00) as
 * Asia/Shanghai. Returns undefined for anything else, including impossible dates (2024-02-30).
 */
export function parseChinaTime(text: string): Date | undefined {
  const m = STAMP.exec(text.trim());
  if (!m) return undefined;
  const [y, mo, d, h = 0, mi = 0, s = 0] = m.slice(1).map((v) => (v === undefined ? undefined : Number(v))) as number[];
  const utc = Date.UTC(y!, mo! - 1, d!, h, mi, s);
  const check = new Date(utc);
  if (
    check.getUTCFullYear() !== y ||
    check.getUTCMonth() !== mo! - 1 ||
    check.getUTCDate() !== d ||
    check.getUTCHours() !== h ||
    check.getUTCMinutes() !== mi ||
    check.getUTCSeconds() !== s
  ) {
    return undefined;
  }
  return new Date(utc - OFFSET_MS);
}

/** Like parseChinaTime but throws a message that names the value. */
export function requireChinaTime(text: string, what = 'time'): Date {
  const parsed = parseChinaTime(text);
  if (!parsed)
    throw new TypeError(`${what} is not a 'YYYY-MM-DD HH:mm:ss' China time: ${JSON.stringify(text).slice(0, 40)}`);
  return parsed;
}

/** Adds seconds without touching wall-clock formatting concerns. */
export function addSeconds(date: Date, seconds: number): Date {
  return new Date(date.getTime() + seconds * 1000);
}

export * from './deadline';
