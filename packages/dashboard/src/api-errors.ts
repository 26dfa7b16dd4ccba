import type { Request, Response } from 'express';
import { pageLocale, translator, type Translate } from '@receipt-sync/core';
import { cookieValue, LOCALE_COOKIE, type PageLanguage } from './i18n';

/**
 * The stable codes of the dashboard's JSON errors (scripts match on `code`; people read `error`).
 * Each has its text under `api.errors.<code>` in both catalogues.
 */
export const API_ERROR_CODES = [
  'request.invalid',
  'request.post-only',
  'request.bad-json',
  'request.too-large',
  'request.bad-encoding',
  'request.bad-charset',
  'request.aborted',
  'request.bad-length',
  'request.bad',
  'request.timeout',
  'request.foreign-host',
  'request.foreign-origin',
  'request.cross-site',
  'receipt.no-match',
  'receipt.not-found',
  'reconcile.no-version',
  'reconcile.running',
  'rehearsal.window-order',
  'rehearsal.running',
  'request.get-or-post',
  'queues.read-only',
  'internal',
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

/**
 * The language of a JSON answer: the page language when the language middleware chose one
 * (DASHBOARD_LOCALE, the switch's cookie, Accept-Language); before it (the guards), the cookie, then
 * Accept-Language, then Chinese.
 */
export function requestT(req: Request, res: Response): Translate {
  const chosen = res.locals.language as PageLanguage | undefined;
  if (chosen) return chosen.t;
  return translator(
    pageLocale({
      cookie: cookieValue(req.headers.cookie, LOCALE_COOKIE),
      acceptLanguage: req.headers['accept-language'],
    }),
  );
}

/** `{ code, error, ...extra }`: the code stays the same in every language, the text follows the request's. */
export function apiError(
  req: Request,
  res: Response,
  code: ApiErrorCode,
  params: Record<string, unknown> = {},
): { code: ApiErrorCode; error: string } {
  return { code, error: requestT(req, res)(`api.errors.${code}`, params) };
}
