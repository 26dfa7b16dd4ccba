import { randomBytes } from 'node:crypto';
import { Router, type NextFunction, type Request, type Response } from 'express';
import type { Alerter } from './alerts';
import { ConfigError } from '@receipt-sync/core';
import { registerSecret } from '@receipt-sync/core';
import { DEAD_LETTER_QUEUES, type PipelineQueues } from '@receipt-sync/pipeline';
import type { SyncStore } from '@receipt-sync/store';
import { apiRouter } from './api-routes';
import { basicAuth, csrfGuard, loopbackOnly, operatorOf } from './auth';
import { bullBoardRouter } from './bull-board';
import { listDeadLetters } from './dead-letters';
import { pageSecurityPolicy, renderPage } from './page';
import { authIssues, type DashboardAuth } from './settings';
import { collectStatus, type StatusSources } from './status';
import type { DashboardLogger } from './types';

export interface DashboardDeps {
  queues: PipelineQueues;
  store: SyncStore;
  logger: DashboardLogger;
  auth: DashboardAuth;
  alerter?: Alerter;
  /** K3Cloud facts the writer stores (metadata preflight, orders left un-audited): the banner on the page. */
  attention?: StatusSources['attention'];
  /** Public path the returned router is mounted at (e.g. '/ops'); default '' (the root). */
  basePath?: string;
  /** Lag shown in red on the page; use the alert rules' threshold. @defaultValue 900 */
  lagWarnSeconds?: number;
}

/** Dead letters shown per queue on the page; the JSON API and Bull Board page through the rest. */
export const PAGE_DEAD_LETTERS = 100;

function normaliseBase(basePath: string | undefined): string {
  const trimmed = (basePath ?? '').replace(/\/+$/, '');
  if (trimmed !== '' && !/^\/[A-Za-z0-9/_.-]*$/.test(trimmed)) {
    throw new ConfigError([
      `dashboard basePath must be a path like /ops, not ${JSON.stringify(basePath).slice(0, 60)}`,
    ]);
  }
  return trimmed;
}

/**
 * The operator dashboard as an express Router, for `app.use(basePath || '/', router)`:
 * `/` status page, `/api/*` JSON (status, dead-letter list/replay/discard), `/queues` Bull Board.
 * Every route sits behind HTTP Basic (or the loopback guard in local-only mode without
 * credentials) and every state-changing request behind the CSRF guard.
 *
 * @throws ConfigError when there are no credentials and `auth.localOnly` is false.
 */
export function createDashboard(deps: DashboardDeps): Router {
  const issues = authIssues(deps.auth);
  if (issues.length > 0) throw new ConfigError(issues);
  const base = normaliseBase(deps.basePath);
  const { username, password, localOnly } = deps.auth;
  registerSecret(password);

  const router = Router();
  router.use((_req, res, next) => {
    res.set({
      'Cache-Control': 'no-store',
      'X-Frame-Options': 'DENY',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
    });
    next();
  });
  if (localOnly) router.use(loopbackOnly());
  if (username && password) router.use(basicAuth(username, password, deps.logger));
  router.use(csrfGuard());

  router.use('/api', apiRouter(deps));

  // Bull Board's own write calls (remove, clean, add on the dead-letter queues) leave a trace too.
  router.use('/queues/api', (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET')
      deps.logger.warn(
        { operator: operatorOf(res), method: req.method, path: req.path },
        'dashboard: Bull Board write',
      );
    next();
  });
  router.use('/queues', bullBoardRouter(deps.queues, `${base}/queues`));

  router.get('/', async (_req, res) => {
    const [status, ...deadLetters] = await Promise.all([
      collectStatus(deps),
      ...DEAD_LETTER_QUEUES.map((q) => listDeadLetters(deps.queues, q, 0, PAGE_DEAD_LETTERS - 1)),
    ]);
    const nonce = randomBytes(16).toString('base64');
    res
      .set('Content-Security-Policy', pageSecurityPolicy(nonce))
      .type('html')
      .send(
        renderPage({
          status,
          deadLetters: deadLetters as Awaited<ReturnType<typeof listDeadLetters>>[],
          base,
          nonce,
          lagWarnSeconds: deps.lagWarnSeconds ?? 900,
        }),
      );
  });

  // Errors become a short JSON answer; the stack goes to the log only (health-server does the same).
  router.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    deps.logger.error({ err: error, path: req.path }, 'dashboard route failed');
    res.status(500).json({ error: 'internal error; see the dashboard log' });
  });
  return router;
}
