import { apiError } from './api-errors';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import { LOCALES, redact, translator, type Locale } from '@receipt-sync/core';
import { operatorOf } from './auth';
import { escapeHtml } from './html';
import type { DashboardLogger } from './types';
import type { Queue } from 'bullmq';
import { PIPELINE_QUEUES, type PipelineQueues } from '@receipt-sync/pipeline';

/**
 * Bull Board is a viewer here: every queue is read-only in its UI and this refuses its write API
 * outright. Pipeline stages must not be edited (a retry there skips our replay bookkeeping), and its
 * Empty / Clean / obliterate / remove on `dead-letter` and `quarantine` would drop receipts with
 * no per-receipt trace: dead letters leave only through the status page's replay and discard,
 * which log every receipt with the operator.
 */
export function bullBoardWriteGuard(logger: DashboardLogger): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method === 'GET' || req.method === 'HEAD') {
      next();
      return;
    }
    logger.warn(
      { operator: operatorOf(res), method: req.method, path: req.path },
      'dashboard: Bull Board write refused',
    );
    res.status(403).json(apiError(req, res, 'queues.read-only'));
  };
}

/** Bull Board's page links Google Fonts; its CSS falls back to system fonts, so the link goes (offline hosts, operator privacy). */
const GOOGLE_FONTS = /<link[^>]*fonts\.(?:googleapis|gstatic)\.com[^>]*>\s*/g;

/**
 * Bull Board's own way back (its misc links) sits in the avatar menu; a visible link to our status
 * page goes on every Bull Board page, bottom left, in the board's language.
 */
function backLink(href: string, text: string): string {
  const style =
    'position:fixed;left:12px;bottom:40px;z-index:1000;padding:4px 10px;border-radius:4px;background:#1d2330;color:#fff;font:13px system-ui,sans-serif;text-decoration:none';
  return `<a id="rs-back" href="${escapeHtml(href)}" style="${style}">← ${escapeHtml(text)}</a>`;
}

/** Rewrites Bull Board's HTML page (not its assets or API): no Google Fonts, our back link. */
function rewritePage(back: string): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method === 'GET' && !req.path.startsWith('/static/') && !req.path.startsWith('/api/')) {
      const send = res.send.bind(res);
      res.send = (body?: unknown) =>
        send(typeof body === 'string' ? body.replace(GOOGLE_FONTS, '').replace('</body>', `${back}</body>`) : body);
    }
    next();
  };
}

/**
 * Bull Board over every pipeline queue, to be mounted at `mountPath` (which must be the full
 * public path, or its assets 404: docs/operations.md#dead-letters-and-bull-board). Job data and return values pass through the
 * logger's `redact` before display; no secret belongs in job data, this is defence in depth.
 */
export function bullBoardRouter(queues: PipelineQueues, mountPath: string, locale: Locale = 'en'): RequestHandler {
  const t = translator(locale);
  const home = mountPath.replace(/\/queues$/, '');
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(mountPath);
  // The catalogue's description in the board's language (the same facts as QUEUE_CATALOG's).
  const catalog = PIPELINE_QUEUES.map((name) => ({
    queue: queues[name] as Queue,
    description: t(`queueDescriptions.${name}`),
  }));
  const adapters = catalog.map(({ queue, description }) => {
    const adapter = new BullMQAdapter(queue, {
      // A viewer on every queue (bullBoardWriteGuard refuses its write API on the server too).
      readOnlyMode: true,
      // Bull Board's retry re-runs a dead letter inside the dead-letter queue without resetting
      // attempts (bull-board #737, docs/operations.md#dead-letters-and-bull-board); our replay is the way back, so hide the button.
      allowRetries: false,
      description,
    });
    adapter.setFormatter('data', (data: unknown) => redact(data));
    adapter.setFormatter('returnValue', (value: unknown) => redact(value));
    return adapter;
  });
  createBullBoard({
    queues: adapters,
    serverAdapter,
    options: {
      uiConfig: {
        boardTitle: 'receipt-sync',
        // Bull Board ships zh-CN; its way back to our pages sits in the header menu, named in the same language.
        locale: { lng: locale === 'zh-CN' ? 'zh-CN' : 'en-US' },
        miscLinks: [
          { text: t('nav.status'), url: home || '/' },
          { text: t('nav.deadLetters'), url: `${home}/dead-letters?queue=dead-letter` },
          { text: t('nav.quarantine'), url: `${home}/dead-letters?queue=quarantine` },
        ],
        // China time, 24-hour, whatever the browser's zone and locale.
        dateFormats: {
          short: { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false },
          common: CHINA_FULL,
          full: CHINA_FULL,
        },
        // Workers are reported per queue; the two parking queues have none by design, and the board
        // would show "No workers" in warning colours on them.
        showWorkers: false,
      },
    },
  });
  const rewrite = rewritePage(backLink(home || '/', t('nav.backToStatus')));
  // Bull Board runs its own express app, which would announce itself with X-Powered-By.
  const app = serverAdapter.getRouter() as Express;
  app.disable('x-powered-by');
  return ((req: Request, res: Response, next: NextFunction) =>
    rewrite(req, res, () => app(req, res, next))) as RequestHandler;
}

const CHINA_FULL: Intl.DateTimeFormatOptions = {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
};

/** One board per language; the dashboard picks the request's (its cookie or Accept-Language). */
export function bullBoardRouters(queues: PipelineQueues, mountPath: string): Record<Locale, RequestHandler> {
  return Object.fromEntries(LOCALES.map((l) => [l, bullBoardRouter(queues, mountPath, l)])) as Record<
    Locale,
    RequestHandler
  >;
}
