import { randomBytes } from 'node:crypto';
import { apiError } from './api-errors';
import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { rehearsalCsv, rehearsalHtml, type RehearsalRequests } from '@receipt-sync/pipeline';
import { operatorOf } from './auth';
import { languageOf } from './i18n';
import { pageSecurityPolicy } from './layout';
import { renderRehearsalPage } from './rehearsal-page';
import type { DashboardLogger } from './types';

export interface RehearsalRouteDeps {
  rehearsals: RehearsalRequests;
  logger: DashboardLogger;
}

const Stamp = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/, { error: "must be 'YYYY-MM-DD HH:mm:ss' (China time)" });
const AskBody = z.strictObject({
  from: Stamp.or(z.literal('')).optional(),
  to: Stamp.or(z.literal('')).optional(),
});

/**
 * `POST /api/rehearsal` starts a go-live rehearsal for a window (one at a time; the active
 * writer's process runs it), `GET /api/rehearsal` says where it stands; behind the dashboard's
 * auth and CSRF guards like replay. Mounted at `/api`.
 */
export function rehearsalApi(deps: RehearsalRouteDeps): Router {
  const router = Router();
  router.use(express.json({ limit: '16kb' }));
  router.get('/rehearsal', async (_req, res) => {
    const [request, stored] = await Promise.all([deps.rehearsals.current(), deps.rehearsals.report()]);
    res.json({
      request: request ?? null,
      report: stored ? { window: stored.report.window, totals: stored.report.totals } : null,
    });
  });
  router.post('/rehearsal', async (req: Request, res: Response) => {
    const body = AskBody.safeParse(req.body ?? {});
    if (!body.success)
      return res.status(400).json({
        ...apiError(req, res, 'request.invalid'),
        issues: body.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
      });
    const asked = {
      ...(body.data.from ? { from: body.data.from } : {}),
      ...(body.data.to ? { to: body.data.to } : {}),
    };
    if (asked.from && asked.to && asked.from > asked.to)
      return res.status(400).json(apiError(req, res, 'rehearsal.window-order'));
    const operator = operatorOf(res);
    const result = await deps.rehearsals.ask(asked, operator);
    if (result.kind === 'running')
      return res.status(409).json({ ...apiError(req, res, 'rehearsal.running'), id: result.request.id });
    deps.logger.info({ operator, asked, id: result.request.id }, 'dashboard: rehearsal requested');
    res.status(202).json({ id: result.request.id, state: 'waiting' });
  });
  router.all('/rehearsal', (req, res) => {
    res
      .set('Allow', 'GET, POST')
      .status(405)
      .json(apiError(req, res, 'request.get-or-post'));
  });
  return router;
}

/** `/rehearsal` (the form, the state, the totals), `/rehearsal/report` (the HTML report) and `/rehearsal/report.csv`. */
export function rehearsalPages(deps: RehearsalRouteDeps, base: string): Router {
  const router = Router();
  router.get('/rehearsal', async (_req, res) => {
    const [request, stored] = await Promise.all([deps.rehearsals.current(), deps.rehearsals.report()]);
    const nonce = randomBytes(16).toString('base64');
    res
      .set('Content-Security-Policy', pageSecurityPolicy(nonce))
      .type('html')
      .send(renderRehearsalPage({ request, stored, base, nonce, language: languageOf(res) }));
  });
  router.get('/rehearsal/report', async (_req, res) => {
    const stored = await deps.rehearsals.report();
    if (!stored) return res.status(404).type('text').send('no rehearsal report yet\n');
    // The report is one static page: its own style, no script.
    res
      .set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
      .type('html')
      .send(rehearsalHtml(stored.report, stored.labels, languageOf(res).t));
  });
  router.get('/rehearsal/report.csv', async (_req, res) => {
    const stored = await deps.rehearsals.report();
    if (!stored) return res.status(404).type('text').send('no rehearsal report yet\n');
    res
      .type('text/csv; charset=utf-8')
      .set('Content-Disposition', 'attachment; filename="rehearsal.csv"')
      .send(rehearsalCsv(stored.report, stored.labels, languageOf(res).t));
  });
  return router;
}
