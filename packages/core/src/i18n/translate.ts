import i18next, { type i18n } from 'i18next';
import { en } from './locales/en';
import { zhCN } from './locales/zh-CN';

/** The languages every page and message exists in; Simplified Chinese first (the operators' language). */
export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'zh-CN';

/** A catalogue: nested objects whose leaves are i18next strings (`{{name}}` interpolation, `_other` plurals). */
export interface Catalogue {
  [key: string]: string | Catalogue;
}

export const CATALOGUES: Record<Locale, Catalogue> = { 'zh-CN': zhCN, en };

export type Translate = ((key: string, params?: Record<string, unknown>) => string) & { readonly locale: Locale };

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

const missing = new Set<string>();

/** Keys asked for that a catalogue lacks (`locale:key`), since start or the last clear; tests assert it stays empty. */
export function missingKeys(): string[] {
  return [...missing].sort();
}

export function clearMissingKeys(): void {
  missing.clear();
}

let instance: i18n | undefined;

function shared(): i18n {
  if (instance) return instance;
  const created = i18next.createInstance();
  void created.init({
    resources: Object.fromEntries(LOCALES.map((l) => [l, { translation: CATALOGUES[l] }])),
    lng: DEFAULT_LOCALE,
    // No silent fallback to another language: a missing key shows as the key and is recorded.
    fallbackLng: false,
    // Pages escape every interpolated value themselves (dashboard html tag); chat and terminals want raw text.
    interpolation: { escapeValue: false },
    returnNull: false,
    initAsync: false,
    // No console notice from i18next: stdout carries results (sync:once's JSON line, doctor's report).
    showSupportNotice: false,
    saveMissing: true,
    missingKeyHandler: (lngs, _ns, key) => {
      for (const l of lngs) missing.add(`${l}:${key}`);
    },
  });
  instance = created;
  return created;
}

/** A translate function for one language, backed by the one i18next instance holding both catalogues. */
export function translator(locale: Locale): Translate {
  const fixed = shared().getFixedT(locale);
  const t = (key: string, params?: Record<string, unknown>) => {
    if (!shared().exists(key, { ...params, lng: locale })) missing.add(`${locale}:${key}`);
    return String(fixed(key, params ?? {}));
  };
  return Object.assign(t, { locale });
}

/** Every leaf key of a catalogue, dotted (plural suffixes kept), for the key-set comparison. */
export function catalogueKeys(c: Catalogue, prefix = ''): string[] {
  return Object.entries(c).flatMap(([k, v]) =>
    typeof v === 'string' ? [`${prefix}${k}`] : catalogueKeys(v, `${prefix}${k}.`),
  );
}
