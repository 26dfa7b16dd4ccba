import { apiError } from './api-errors';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { originAllowed, type AllowedHost } from './host-guard';
import type { LoginThrottle } from './login-throttle';
import type { DashboardLogger } from './types';

/** Header the dashboard's own page sends with every state-changing request. */
export const CSRF_HEADER = 'x-requested-with';
export const CSRF_HEADER_VALUE = 'receipt-sync';

const REALM = 'Basic realm="receipt-sync dashboard", charset="UTF-8"';

/** Hashing first gives both sides the same length, so timingSafeEqual never leaks the length. */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

function parseBasic(header: string | undefined): { username: string; password: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * HTTP Basic in front of every route (Bull Board has no auth of its own: its production checklist).
 * Both fields are always compared so a wrong user name costs as long as a wrong password. Failed
 * logins are throttled per client address: after a few, the address gets 429 with Retry-After
 * (growing) and its guesses are not even checked, so guessing costs hours instead of seconds.
 */
export function basicAuth(
  username: string,
  password: string,
  logger: DashboardLogger,
  throttle: LoginThrottle,
): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const address = req.socket.remoteAddress ?? 'unknown';
    const waitMs = throttle.retryAfterMs(address);
    if (waitMs > 0) {
      const seconds = Math.ceil(waitMs / 1000);
      res
        .set('Retry-After', String(seconds))
        .status(429)
        .type('text/plain')
        .send(`too many failed logins from this address; try again in ${seconds} s\n`);
      return;
    }
    const given = parseBasic(req.headers.authorization);
    if (given) {
      const userOk = sameSecret(given.username, username);
      const passwordOk = sameSecret(given.password, password);
      if (userOk && passwordOk) {
        throttle.succeed(address);
        res.locals.operator = given.username;
        next();
        return;
      }
      const blockedMs = throttle.fail(address);
      // The attempted user name is not a secret and helps spot guessing; the password is never logged.
      logger.warn(
        { ip: address, user: given.username.slice(0, 100), path: req.path, blockedMs },
        blockedMs > 0
          ? `dashboard login failed; further logins from this address refused for ${Math.ceil(blockedMs / 1000)} s`
          : 'dashboard login failed',
      );
    }
    res.set('WWW-Authenticate', REALM).status(401).type('text/plain').send('需要登录 · authentication required\n');
  };
}

function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || /^(::ffff:)?127\./.test(address);
}

/**
 * Local-only mode without credentials: the caller binds 127.0.0.1, and this refuses any other
 * peer anyway, in case the router ends up mounted on a server that listens more widely.
 */
export function loopbackOnly(): RequestHandler {
  return (req, res, next) => {
    if (isLoopback(req.socket.remoteAddress)) {
      res.locals.operator = 'local';
      next();
      return;
    }
    res.status(403).type('text/plain').send('this dashboard runs in local-only mode and answers 127.0.0.1 only\n');
  };
}

/**
 * CSRF guard for state-changing requests: Basic credentials are sent by the browser automatically,
 * so a request must also prove it came from our own pages. A cross-site form cannot add a custom
 * header, and browsers send `Origin` on every non-GET request.
 */
export function csrfGuard(allowed: AllowedHost[]): RequestHandler {
  return (req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') {
      next();
      return;
    }
    if (req.headers[CSRF_HEADER] === CSRF_HEADER_VALUE || originAllowed(req, allowed)) {
      next();
      return;
    }
    res.status(403).json(apiError(req, res, 'request.cross-site', { header: CSRF_HEADER_VALUE }));
  };
}

/** The operator a request was authenticated as (`local` in local-only mode), for logs. */
export function operatorOf(res: Response): string {
  return typeof res.locals.operator === 'string' ? res.locals.operator : 'unknown';
}
