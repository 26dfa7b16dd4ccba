import { apiError } from './api-errors';
import type { Request, RequestHandler } from 'express';

/** Names the dashboard always answers to, on the port it listens on. */
const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

/** One DASHBOARD_ALLOWED_HOSTS entry: a host name (any port) or `name:port`. */
export interface AllowedHost {
  name: string;
  port?: number;
}

/** `dash.example.com`, `10.0.0.5:8080`, `[::1]:3000` → name (lower case) and optional port. */
export function parseAllowedHost(entry: string): AllowedHost | undefined {
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/i.exec(entry.trim());
  if (!m) return undefined;
  const port = m[2] === undefined ? undefined : Number(m[2]);
  if (port !== undefined && (port < 1 || port > 65535)) return undefined;
  return { name: m[1]!.toLowerCase(), port };
}

/** A Host header (or an Origin's host) as name + port; undefined when unreadable. */
function splitHost(host: string): { name: string; port?: number } | undefined {
  const parsed = parseAllowedHost(host);
  return parsed ? { name: parsed.name.replace(/\.$/, ''), port: parsed.port } : undefined;
}

/**
 * Whether `host` (a Host header value) names this dashboard: a loopback name on the port the
 * request arrived on, or an entry of `allowed`. A name without a port matches any port.
 */
export function hostAllowed(host: string | undefined, localPort: number | undefined, allowed: AllowedHost[]): boolean {
  if (!host) return false;
  const h = splitHost(host);
  if (!h) return false;
  if (LOOPBACK_NAMES.includes(h.name) && (h.port ?? 80) === localPort) return true;
  return allowed.some((a) => a.name === h.name && (a.port === undefined || a.port === (h.port ?? 80)));
}

function originHost(origin: string): string | undefined {
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.host : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether the request's Origin names this dashboard. The port of an https origin without one is 443;
 * `new URL` drops default ports, so the comparison uses the explicit one.
 */
export function originAllowed(req: Request, allowed: AllowedHost[]): boolean {
  const origin = req.headers.origin;
  if (!origin || origin === 'null') return false;
  const host = originHost(origin);
  if (!host) return false;
  const withPort =
    host.includes(':') && !host.endsWith(']') ? host : `${host}:${origin.startsWith('https:') ? 443 : 80}`;
  return hostAllowed(withPort, req.socket.localPort, allowed);
}

/**
 * DNS-rebinding guard, in every mode: a page on `rebind.attacker.example` whose name now resolves
 * to this host is same-origin with it in the browser, so the peer address and the Origin = Host
 * comparison both pass. Only the name the browser used (Host) tells it apart: anything not on the
 * list gets 421, and an Origin that is not on the list gets 403.
 */
export function hostGuard(allowed: AllowedHost[]): RequestHandler {
  return (req, res, next) => {
    if (!hostAllowed(req.headers.host, req.socket.localPort, allowed)) {
      res.status(421).json(apiError(req, res, 'request.foreign-host'));
      return;
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !originAllowed(req, allowed)) {
      res.status(403).json(apiError(req, res, 'request.foreign-origin'));
      return;
    }
    next();
  };
}
