import { isSyncError, loadConfig, startHealthServer, type HealthServer } from '@receipt-sync/core';
import { pushReceiverRouter, PUSH_PATH } from '../push/receiver';

import { createRuntime, type Runtime } from './runtime';
import { Shutdown } from './shutdown';

/**
 * The push receiver on WEBHOOK_PORT: `POST /okki/webhook` plus /healthz, /readyz (Redis: nothing is
 * acknowledged that was not enqueued) and /metrics. Needs neither OKKI nor K3Cloud credentials.
 */
export async function startPushReceiver(rt: Runtime, port = rt.config.webhook.port): Promise<HealthServer> {
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
    checks: { redis: async () => void (await rt.connection.ping()) },
    metrics: () => rt.metrics.metricsText(),
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
    if (!rt.config.webhook.secret) throw new Error('XIAOMAN_WEBHOOK_SECRET must be set to run the push receiver');
  } catch (error) {
    console.error(
      `receiver could not start: ${isSyncError(error) || error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(1);
  }
  const server = await startPushReceiver(rt);
  const shutdown = new Shutdown(rt.logger, rt.config.shutdownTimeoutMs);
  shutdown.add('receiver', () => server.close());
  shutdown.add('runtime', () => rt.close());
  shutdown.installSignalHandlers();
  process.on('unhandledRejection', (err) => rt.logger.error({ err }, 'unhandled rejection'));
}
