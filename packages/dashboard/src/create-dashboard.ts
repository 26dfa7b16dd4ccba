import { randomBytes } from 'node:crypto';
import { Router, type RequestHandler } from 'express';
import type { Alerter } from './alerts';
import { ConfigError, configErrorOf, type Locale } from '@receipt-sync/core';
import { registerSecret } from '@receipt-sync/core';
import type { PipelineQueues, RehearsalRequests } from '@receipt-sync/pipeline';
import type { SyncStore, TimeSeries } from '@receipt-sync/store';
import { apiRouter } from './api-routes';
import { bullBoardRouters, bullBoardWriteGuard } from './bull-board';
import { collectCharts } from './chart-data';
import { languageMiddleware, languageOf } from './i18n';
import { pageSecurityPolicy, renderCausesPage, renderPage } from './page';
import { receiptPages } from './receipt-routes';
import { rehearsalApi, rehearsalPages } from './rehearsal-routes';
import { authIssues, type DashboardAuth } from './settings';
import { createDashboardGuard, DEFAULT_DEADLINE_MS } from './guard';
import type { AllowedHost } from './host-guard';
import { clientErrorHandler } from './http-errors';
import { collectStatus, type PushSource, type StatusSources } from './status';
import type { DashboardLogger } from './types';

export interface DashboardDeps {
  queues: PipelineQueues;
  store: SyncStore;
  logger: DashboardLogger;
  auth: DashboardAuth;
  alerter?: Alerter;
  /** The per-minute series the charts draw (the pipeline's Redis); without it the charts say so. */
  series?: TimeSeries;
  /** K3Cloud facts the writer stores (metadata preflight, orders left un-audited): the banner on the page. */
  attention?: StatusSources['attention'];
  /** The writer lease: who writes now, and the standbys (status page, API, `no-active-writer` alert). */
  writer?: StatusSources['writer'];
  /** The stuck-receipts sweeper's last report (status page, API, `stuck-receipts` alert). */
  stuck?: StatusSources['stuck'];
  /** Public path the returned router is mounted at (e.g. '/ops'); default '' (the root). */
  basePath?: string;
  /** OKKI push state: freshness p50/p95 of the last hour and push health on the page. */
  push?: PushSource;
  /** Lag shown in red on the page; use the alert rules' threshold. @defaultValue 900 */
  lagWarnSeconds?: number;
  /** DASHBOARD_ALLOWED_HOSTS (parsed). */
  allowedHosts?: AllowedHost[];
  /** DASHBOARD_LOCALE: every page in this language, no switch; unset = Accept-Language and the switch. */
  locale?: Locale;
  /** Every answer within this, else 503. @defaultValue DEFAULT_DEADLINE_MS */
  deadlineMs?: number;
  /**
   * The process's one guard (createDashboardGuard), when the server also mounts it in front of its
   * health routes; without it the dashboard builds its own from `auth` and `allowedHosts`.
   */
  guard?: RequestHandler;
  /** Go-live rehearsals asked for here and run by the active writer's process (the `/rehearsal` page). */
  rehearsals?: RehearsalRequests;
  /** TRACE_URL_TEMPLATE, e.g. `http://localhost:16686/trace/{traceId}`: receipt pages link traces. */
  traceUrlTemplate?: string;
}

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
 * `/` status page, `/api/*` JSON (status, dead-letter list/replay/discard), `/queues` Bull Board
 * (read-only). Every route sits behind the guard (createDashboardGuard): Host allowlist, response
 * deadline, HTTP Basic with login throttling (or the loopback check in local-only mode without
 * credentials), and the CSRF guard for state-changing requests.
 *
 * @throws ConfigError when there are no credentials and `auth.localOnly` is false.
 */
export function createDashboard(deps: DashboardDeps): Router {
  const issues = authIssues(deps.auth);
  if (issues.length > 0) throw configErrorOf(issues);
  const base = normaliseBase(deps.basePath);
  registerSecret(deps.auth.password);

  const router = Router();
  router.use(
    deps.guard ??
      createDashboardGuard({
        auth: deps.auth,
        allowedHosts: deps.allowedHosts,
        logger: deps.logger,
        deadlineMs: deps.deadlineMs ?? DEFAULT_DEADLINE_MS,
      }),
  );

  // Before the API too: its error texts follow the request's language like the pages.
  router.use(languageMiddleware(deps.locale, base));
  router.use('/api', apiRouter(deps));
  const rehearsals = deps.rehearsals && { rehearsals: deps.rehearsals, logger: deps.logger };
  if (rehearsals) router.use('/api', rehearsalApi(rehearsals));

  router.use('/queues/api', bullBoardWriteGuard(deps.logger));
  const boards = bullBoardRouters(deps.queues, `${base}/queues`);
  router.use('/queues', (req, res, next) => boards[languageOf(res).locale](req, res, next));

  router.get('/', async (_req, res) => {
    const [status, charts] = await Promise.all([collectStatus(deps), deps.series ? collectCharts(deps.series) : null]);
    const errorSamples = await deps.store.ledger.getMany(status.errors.flatMap((g) => g.sampleReceiptIds));
    const nonce = randomBytes(16).toString('base64');
    res
      .set('Content-Security-Policy', pageSecurityPolicy(nonce))
      .type('html')
      .send(
        renderPage({
          status,
          errorSamples,
          language: languageOf(res),
          charts,
          base,
          nonce,
          lagWarnSeconds: deps.lagWarnSeconds ?? 900,
        }),
      );
  });
  router.get('/causes', async (_req, res) => {
    const status = await collectStatus(deps);
    const errorSamples = await deps.store.ledger.getMany(status.errors.flatMap((g) => g.sampleReceiptIds));
    const nonce = randomBytes(16).toString('base64');
    res
      .set('Content-Security-Policy', pageSecurityPolicy(nonce))
      .type('html')
      .send(renderCausesPage({ status, errorSamples, base, nonce, language: languageOf(res) }));
  });
  router.use(receiptPages(deps, base));
  if (rehearsals) router.use(rehearsalPages(rehearsals, base));

  router.use(clientErrorHandler(deps.logger));
  return router;
}
