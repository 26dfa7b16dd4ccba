import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isIP } from 'node:net';
import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from '../logger';
import { runReadinessChecks, type ReadinessCheck } from './readiness';
import { loadExpress } from './load-express';

/** Prometheus text exposition format 0.0.4. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type HealthLogger = Pick<Logger, 'warn' | 'error'>;

export interface HealthServerOptions {
  /** 0 picks a free port (tests). */
  port: number;
  /** Default `0.0.0.0` so container probes reach it. */
  host?: string;
  /** Readiness checks by name (redis, store, k3cloud-session...). */
  checks: Record<string, ReadinessCheck>;
  /** Per-check deadline for /readyz; default 2000 ms. */
  checkTimeoutMs?: number;
  /** Liveness; default always live. */
  live?: () => boolean;
  /** Prometheus text for /metrics; without it /metrics is 404. */
  metrics?: () => Promise<string>;
  logger?: HealthLogger;
  /** Extra routes (e.g. a dashboard) mounted after the built-in ones. */
  extraRoutes?: (app: Express) => void;
  /**
   * Runs before every route, the built-in ones included: the dashboard puts its Host allowlist and
   * login here so /metrics and /readyz on its port are not public.
   */
  guard?: RequestHandler;
  /**
   * Host names (besides `localhost` and IP addresses) a request's Host header may name; other names
   * get 421, so a web page cannot reach the port through DNS rebinding. Undefined = no Host check
   * (the dashboard brings its own guard).
   */
  allowedHosts?: readonly string[];
}

export interface HealthServer {
  /** Base URL to reach the server, e.g. `http://127.0.0.1:9464`. */
  url: string;
  /** Where it actually listens, e.g. `0.0.0.0:3000` (every interface) or `127.0.0.1:3000`. */
  listenAddress: string;
  port: number;
  close(): Promise<void>;
}

function buildApp(opts: HealthServerOptions): Express {
  const app = loadExpress()();
  app.disable('x-powered-by');
  const timeoutMs = opts.checkTimeoutMs ?? 2000;

  app.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  if (opts.guard) app.use(opts.guard);
  if (opts.allowedHosts) app.use(hostCheck(opts.allowedHosts));

  app.get('/healthz', (_req, res) => {
    let live = true;
    try {
      live = opts.live ? opts.live() : true;
    } catch {
      live = false;
    }
    res.status(live ? 200 : 503).json({ status: live ? 'ok' : 'unhealthy' });
  });

  app.get('/readyz', async (_req, res) => {
    const report = await runReadinessChecks(opts.checks, timeoutMs);
    if (!report.ready) opts.logger?.warn({ checks: report.checks }, 'readiness check failed');
    res.status(report.ready ? 200 : 503).json({ status: report.ready ? 'ready' : 'not-ready', checks: report.checks });
  });

  const metrics = opts.metrics;
  if (metrics) {
    app.get('/metrics', async (_req, res) => {
      try {
        const text = await metrics();
        res.status(200).set('Content-Type', PROMETHEUS_CONTENT_TYPE).send(text);
      } catch (error) {
        opts.logger?.error({ err: error }, 'metrics collection failed');
        res.status(500).type('text/plain').send('metrics unavailable\n');
      }
    });
  }

  opts.extraRoutes?.(app);

  // Express's default handler prints stacks outside production; these endpoints are public.
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    opts.logger?.error({ err: error }, 'health server route failed');
    if (!res.headersSent) res.status(500).json({ error: 'internal error' });
  });
  return app;
}

/** Refuses a Host header that names neither an IP address, `localhost`, nor an allowed name. */
export function hostCheck(allowed: readonly string[]): RequestHandler {
  const names = new Set(['localhost', ...allowed.map((h) => h.trim().toLowerCase()).filter(Boolean)]);
  return (req, res, next) => {
    const host = (req.headers.host ?? '').toLowerCase();
    const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
    if (isIP(name) !== 0 || names.has(name)) return next();
    res.status(421).type('text/plain').send('unknown host name; add it to HEALTH_ALLOWED_HOSTS\n');
  };
}

function displayHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * One truthful log line for a server: where it listens (all interfaces or one address) and the URL
 * to open on this host.
 */
export function listeningMessage(what: string, server: Pick<HealthServer, 'listenAddress' | 'url'>): string {
  const everywhere = /^(0\.0\.0\.0|\[::\]):/.test(server.listenAddress);
  return `${what} listening on ${server.listenAddress}${everywhere ? ' (every interface)' : ''}; open ${server.url}/`;
}

/** Starts the probe/metrics server; resolves once it listens (rejects on EADDRINUSE etc.). */
export async function startHealthServer(opts: HealthServerOptions): Promise<HealthServer> {
  const host = opts.host ?? '0.0.0.0';
  const server = http.createServer(buildApp(opts));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => opts.logger?.error({ err: error }, 'health server error'));
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${displayHost(host)}:${port}`,
    listenAddress: `${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Prometheus and probes keep connections alive; without this close() waits for them.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
