import { apiError } from './api-errors';
import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { basicAuth, csrfGuard, loopbackOnly } from './auth';
import { hostGuard, type AllowedHost } from './host-guard';
import { LoginThrottle, type LoginThrottleOptions } from './login-throttle';
import type { DashboardAuth } from './settings';
import type { DashboardLogger } from './types';

/** Every dashboard answer within this, or 503 (Redis frozen, store hanging). */
export const DEFAULT_DEADLINE_MS = 5_000;

export interface DashboardGuardOptions {
  auth: DashboardAuth;
  /** DASHBOARD_ALLOWED_HOSTS; loopback names on the dashboard port are always allowed. */
  allowedHosts?: AllowedHost[];
  logger: DashboardLogger;
  /** @defaultValue DEFAULT_DEADLINE_MS */
  deadlineMs?: number;
  throttle?: LoginThrottleOptions;
}

const GUARDED = 'receiptSyncDashboardGuarded';

function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.set({
    'Cache-Control': 'no-store',
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  });
  next();
}

/** Makes every later write of a response that already timed out a no-op instead of a thrown error. */
function muzzle(res: Response): void {
  const quiet = function (this: Response) {
    return res;
  };
  for (const method of ['status', 'set', 'type', 'json', 'send', 'render', 'end', 'setHeader', 'writeHead'] as const)
    (res as unknown as Record<string, unknown>)[method] = quiet;
}

/**
 * Answers 503 when a route has not answered within `ms`: with Redis frozen (SIGSTOP, a stuck
 * failover) a command neither fails nor returns, and a page would hang until the browser gives up.
 */
export function responseDeadline(ms: number, logger: DashboardLogger): RequestHandler {
  return (req, res, next) => {
    // Read now: routers below rewrite req.url while the request travels through them.
    const path = req.path;
    const wantsJson = path.includes('/api/') || path.endsWith('/api') || !req.accepts('html');
    const timer = setTimeout(() => {
      if (res.headersSent) return;
      const body = apiError(req, res, 'request.timeout', { ms });
      logger.warn({ path, deadlineMs: ms }, 'dashboard request timed out');
      res.status(503).set('Retry-After', '5');
      if (wantsJson) res.json(body);
      else res.type('text/plain').send(`${body.error}\n`);
      res.locals.timedOut = true;
      muzzle(res);
    }, ms);
    timer.unref();
    const clear = () => clearTimeout(timer);
    res.once('finish', clear);
    res.once('close', clear);
    next();
  };
}

/**
 * Everything that stands in front of the dashboard, in order: security headers, the Host/Origin
 * allowlist (DNS rebinding), the response deadline, local-only peer check, HTTP Basic with login
 * throttling, the CSRF guard. One instance per process (the throttle's memory is shared); mounted
 * before the health routes too, so /metrics and /readyz sit behind the same login. Running it twice
 * on one request is harmless: the second pass is skipped.
 */
export function createDashboardGuard(opts: DashboardGuardOptions): RequestHandler {
  const allowed = opts.allowedHosts ?? [];
  const chain = Router();
  chain.use(securityHeaders);
  chain.use(hostGuard(allowed));
  chain.use(responseDeadline(opts.deadlineMs ?? DEFAULT_DEADLINE_MS, opts.logger));
  if (opts.auth.localOnly) chain.use(loopbackOnly());
  const { username, password } = opts.auth;
  if (username && password) chain.use(basicAuth(username, password, opts.logger, new LoginThrottle(opts.throttle)));
  chain.use(csrfGuard(allowed));
  return (req, res, next) => {
    if (res.locals[GUARDED]) {
      next();
      return;
    }
    res.locals[GUARDED] = true;
    chain(req, res, next);
  };
}
