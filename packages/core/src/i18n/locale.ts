import { DEFAULT_LOCALE, isLocale, type Locale } from './translate';

/** `zh`, `zh-TW`, `zh_CN.UTF-8` → zh-CN; `en…` → en; anything else → undefined. */
export function localeOf(tag: string | undefined): Locale | undefined {
  const t = (tag ?? '').trim().toLowerCase();
  if (t.startsWith('zh')) return 'zh-CN';
  if (t.startsWith('en')) return 'en';
  return undefined;
}

/** The first language of an Accept-Language header (by q) we have: zh-* → zh-CN, en-* → en. */
export function localeFromAcceptLanguage(header: string | undefined): Locale | undefined {
  const ranked = (header ?? '')
    .split(',')
    .map((part, i) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)/.exec(p)?.[1]).find(Boolean);
      return { tag: tag ?? '', q: q === undefined ? 1 : Number(q), i };
    })
    .filter((r) => r.tag && r.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const r of ranked) {
    const l = localeOf(r.tag);
    if (l) return l;
  }
  return undefined;
}

/** A page's language: DASHBOARD_LOCALE pins it; else the switch's cookie; else Accept-Language; else Chinese. */
export function pageLocale(input: { pinned?: string; cookie?: string; acceptLanguage?: string }): Locale {
  if (isLocale(input.pinned)) return input.pinned;
  if (isLocale(input.cookie)) return input.cookie;
  return localeFromAcceptLanguage(input.acceptLanguage) ?? DEFAULT_LOCALE;
}

/**
 * A terminal's language: `--lang zh-CN|en` (or `--lang=…`) forces it; else LC_ALL, LC_MESSAGES, LANG
 * in that order (zh_* → Chinese); else English.
 */
export function terminalLocale(env: Record<string, string | undefined>, argv: readonly string[] = []): Locale {
  const i = argv.findIndex((a) => a === '--lang' || a.startsWith('--lang='));
  if (i >= 0) {
    const value = argv[i]!.includes('=') ? argv[i]!.split('=')[1] : argv[i + 1];
    const forced = localeOf(value);
    if (forced) return forced;
  }
  for (const name of ['LC_ALL', 'LC_MESSAGES', 'LANG']) {
    const v = env[name];
    if (v && v !== 'C' && v !== 'POSIX') return localeOf(v) ?? 'en';
  }
  return 'en';
}
