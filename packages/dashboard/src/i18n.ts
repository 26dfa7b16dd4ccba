import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { isLocale, pageLocale, translator, type Locale, type Translate } from '@receipt-sync/core';

/** The language switch's cookie; a year, the whole dashboard. */
export const LOCALE_COOKIE = 'rs_lang';

export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

/** Where the request's language came from: pinned pages show no switch. */
export interface PageLanguage {
  t: Translate;
  locale: Locale;
  pinned: boolean;
}

export function languageOf(res: Response): PageLanguage {
  return res.locals.language as PageLanguage;
}

/**
 * Picks each request's language (DASHBOARD_LOCALE pins it; else the switch's cookie; else
 * Accept-Language, zh-* → Chinese; else Chinese) and serves the switch: `?lang=en` sets the cookie
 * and redirects to the same page without the parameter.
 */
export function languageMiddleware(pinned: Locale | undefined, base: string): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const asked = req.query.lang;
    // The switch is for pages; the API answers in the language chosen without redirecting.
    if (!pinned && req.method === 'GET' && isLocale(asked) && !req.path.startsWith('/api/')) {
      const url = new URL(req.originalUrl, 'http://x');
      url.searchParams.delete('lang');
      res.cookie(LOCALE_COOKIE, asked, {
        path: base || '/',
        maxAge: 365 * 86_400_000,
        sameSite: 'lax',
        httpOnly: true,
      });
      res.redirect(303, `${url.pathname}${url.search}`);
      return;
    }
    const locale = pageLocale({
      pinned,
      cookie: cookieValue(req.headers.cookie, LOCALE_COOKIE),
      acceptLanguage: req.headers['accept-language'],
    });
    res.locals.language = { t: translator(locale), locale, pinned: pinned !== undefined } satisfies PageLanguage;
    next();
  };
}
