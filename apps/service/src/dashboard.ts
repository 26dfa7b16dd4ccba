/**
 * The dashboard on its own: status page, dead-letter replay, Bull Board, and the alert monitor,
 * on DASHBOARD_PORT next to /healthz, /readyz and /metrics. `npm start` (the supervisor) mounts
 * the same dashboard in-process instead.
 */
import { createRedisClient, loadConfig, secretsOf, startFailureText } from '@receipt-sync/core';
import { dashboardSettingsFromEnv, startDashboardApp } from '@receipt-sync/dashboard';
import { listeningMessage, startHealthServer } from '@receipt-sync/core';
import { createLogger, registerSecret } from '@receipt-sync/core';
import { collectQueueDepths, createMetrics } from '@receipt-sync/core';
import { Shutdown } from '@receipt-sync/pipeline';
import {
  allQueues,
  closeQueues,
  createQueues,
  K3CloudAttention,
  openStore,
  PushState,
  readWriterLease,
  RehearsalRequests,
  StuckReceiptsReport,
} from '@receipt-sync/pipeline';
import { TimeSeries } from '@receipt-sync/store';

async function main(): Promise<void> {
  const config = loadConfig();
  const settings = dashboardSettingsFromEnv(process.env);
  for (const secret of [...secretsOf(config), settings.auth.password]) registerSecret(secret);
  const logger = createLogger({ name: 'dashboard', level: config.logLevel });
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));

  // The dashboard runs no worker, so requests may fail fast while Redis is down instead of
  // queueing forever (docs/operations.md#redis-connections).
  const connection = createRedisClient(config.redis, { maxRetriesPerRequest: 2 });
  connection.on('error', (err) => logger.warn({ err }, 'redis connection error'));
  const queues = createQueues(connection, config.queuePrefix);
  const store = openStore(config, connection);
  await store.init();

  const attention = new K3CloudAttention(connection, config.queuePrefix);
  const series = new TimeSeries(connection, config.queuePrefix);
  // Freshness p50/p95 and missed-push alerts read what the receiver, producer and writer leave in Redis.
  const push = { state: new PushState(connection, config.queuePrefix), configured: Boolean(config.webhook.secret) };
  const {
    router: dashboard,
    monitor,
    guard,
  } = startDashboardApp({
    queues,
    store,
    logger,
    settings,
    attention,
    writer: () => readWriterLease(connection, config.queuePrefix),
    stuck: new StuckReceiptsReport(connection, config.queuePrefix),
    series,
    push,
    rehearsals: new RehearsalRequests(connection, config.queuePrefix),
  });
  const metrics = createMetrics({ defaultLabels: { app: 'dashboard' } });

  const server = await startHealthServer({
    port: settings.port,
    host: settings.host,
    logger,
    checks: {
      redis: async () => {
        await connection.ping();
      },
      store: () => store.ping(),
    },
    metrics: async () => {
      await collectQueueDepths(metrics, allQueues(queues)).catch((err: unknown) =>
        logger.warn({ err }, 'queue depth collection failed'),
      );
      return metrics.metricsText();
    },
    guard,
    extraRoutes: (app) => app.use(dashboard),
  });
  logger.info(
    {
      url: server.url,
      listen: server.listenAddress,
      auth: settings.auth.username ? 'basic' : 'none (local only)',
      alertTargets: settings.alerts.targets.targets.length,
    },
    listeningMessage('dashboard', server),
  );

  const shutdown = new Shutdown(logger, config.shutdownTimeoutMs);
  shutdown.add('http server', () => server.close());
  shutdown.add('alert monitor', () => monitor.stop());
  shutdown.add('queues', () => closeQueues(queues));
  shutdown.add('store', () => store.close());
  shutdown.add('redis', () => connection.quit());
  shutdown.installSignalHandlers();
}

main().catch((error: unknown) => {
  // Configuration errors name the variable, never its value; said in the terminal's language.
  console.error(startFailureText('dashboard', error));
  process.exit(1);
});
