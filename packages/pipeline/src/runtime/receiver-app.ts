import { configErrorOf, loadConfig, startFailureText, startHealthServer, type HealthServer } from '@receipt-sync/core';
import { pushReceiverRouter, PUSH_PATH } from '../push/receiver';

import { createRuntime, type Runtime } from './runtime';
import { Shutdown } from './shutdown';

/** The standalone receiver's internal health and metrics port (HEALTH_PORT), beside 9101–9103. */
export const RECEIVER_HEALTH_PORT = 9104;

/**
 * The push receiver on WEBHOOK_PORT: `POST /okki/webhook` plus /healthz and /readyz (Redis: nothing
 * is acknowledged that was not enqueued). It is the one port meant to face the internet, so it
 * serves no /metrics: those go out on the internal health port or the dashboard's. Needs neither
 * OKKI nor K3Cloud credentials. `host` defaults to every interface (OKKI must reach it).
 */
export async function startPushReceiver(
  rt: Runtime,
  port = rt.config.webhook.port,
  host?: string,
): Promise<HealthServer> {
  const secret = rt.config.webhook.secret;
  if (!secret) throw new Error('XIAOMAN_WEBHOOK_SECRET must be set to receive OKKI pushes');
  const router = pushReceiverRouter({
    secret,
    maxSkewSeconds: rt.config.webhook.maxSkewSeconds,
    queue: rt.queues.push,
    state: rt.push,
    metrics: rt.metrics,
    logger: rt.logger,
    redisReady: () => rt.connection.status === 'ready',
  });
  await rt.push.markConfigured();
  const server = await startHealthServer({
    port,
    host,
    checks: { redis: async () => void (await rt.connection.ping()) },
    logger: rt.logger,
    extraRoutes: (app) => app.use(router),
  });
  rt.logger.info({ url: `${server.url}${PUSH_PATH}` }, 'OKKI push receiver listening');
  return server;
}

/** `receiver` entry point: its own process so it can be exposed while the workers stay private. */
export async function runReceiverApp(): Promise<void> {
  let rt: Runtime;
  try {
    rt = await createRuntime(loadConfig(), { name: 'receiver' });
    if (!rt.config.webhook.secret) throw configErrorOf([{ variable: 'XIAOMAN_WEBHOOK_SECRET', problem: 'receiver' }]);
  } catch (error) {
    console.error(startFailureText('receiver', error));
    process.exit(1);
  }
  const server = await startPushReceiver(rt);
  const health = await startHealthServer({
    port: rt.config.healthPort ?? RECEIVER_HEALTH_PORT,
    host: rt.config.healthHost,
    allowedHosts: rt.config.healthAllowedHosts,
    checks: { redis: async () => void (await rt.connection.ping()) },
    metrics: () => rt.metrics.metricsText(),
    logger: rt.logger,
  });
  rt.logger.info({ health: health.url }, 'receiver metrics and health on the internal port');
  const shutdown = new Shutdown(rt.logger, rt.config.shutdownTimeoutMs);
  shutdown.add('receiver', () => server.close());
  shutdown.add('health server', () => health.close());
  shutdown.add('runtime', () => rt.close());
  shutdown.installSignalHandlers();
  process.on('unhandledRejection', (err) => rt.logger.error({ err }, 'unhandled rejection'));
}
