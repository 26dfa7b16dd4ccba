import { errorText, loadConfig, terminalLocale, translator } from '@receipt-sync/core';
import { dashboardSettingsFromEnv, startDashboardApp } from '@receipt-sync/dashboard';
import type { DemoEnvironment } from '@receipt-sync/simulators';
import { listeningMessage, startHealthServer } from '@receipt-sync/core';
import { registerSecret } from '@receipt-sync/core';
import {
  createRuntime,
  K3CloudAttention,
  readWriterLease,
  RehearsalRequests,
  StuckReceiptsReport,
  k3SessionCheck,
  sampleGauges,
  Shutdown,
  startProducerStage,
  startPushReceiver,
  startPushStage,
  startRedisHealer,
  startRehearsalRequests,
  startTransformerStage,
  startWriterStage,
} from '@receipt-sync/pipeline';
import { startReconcileRequests } from '@receipt-sync/reconcile';
import { clearDemoState, startDemo, startDemoActivity } from './demo-mode';
import { printStartSummary, startWindowLines, supervisorLogger } from './start-summary';

/** The terminal's language (LANG / LC_ALL zh_* → Chinese; --lang to force). */
const t = translator(terminalLocale(process.env, process.argv));

/**
 * `npm start`: producer, transformer, writer and dashboard in one supervisor process. With no
 * OKKI/K3Cloud configuration it starts the simulators and runs against them (the demo).
 */
async function main(): Promise<void> {
  let env = process.env;
  const configured = loadConfig(env);
  let demo: DemoEnvironment | undefined;
  if (!configured.okki && !configured.k3cloud) {
    ({ demo, env } = await startDemo(env));
  } else if (!configured.okki || !configured.k3cloud) {
    throw new Error(
      t('terminal.start.halfConfigured', { missing: configured.okki ? 'K3Cloud (KINGDEE_*)' : 'OKKI (XIAOMAN_*)' }),
    );
  }
  const config = loadConfig(env);
  const settings = dashboardSettingsFromEnv(env);
  registerSecret(settings.auth.password);
  const rt = await createRuntime(config, {
    name: 'receipt-sync',
    needsOkki: true,
    needsK3: true,
    logger: supervisorLogger(config),
  });
  if (demo) await clearDemoState(rt.connection, config.queuePrefix);

  // The receipt pages' "Reconcile this receipt" and the dashboard's rehearsals run while this process is the active writer.
  const writer = await startWriterStage(rt, {
    whileActive: () => [startReconcileRequests(rt), startRehearsalRequests(rt)],
  });
  const stages = [await startProducerStage(rt), await startTransformerStage(rt), writer];
  // With XIAOMAN_WEBHOOK_SECRET set, OKKI pushes make the sync near-real-time; polling stays the sweeper.
  if (config.webhook.secret) stages.push(await startPushStage(rt));
  // The demo is local-only: its receiver (fed by the OKKI simulator on this host) listens on loopback.
  const receiver = config.webhook.secret
    ? await startPushReceiver(rt, config.webhook.port, demo ? '127.0.0.1' : undefined)
    : undefined;
  const healer = await startRedisHealer(rt, rt.store, stages);
  const {
    router: dashboard,
    monitor,
    guard,
  } = startDashboardApp({
    queues: rt.queues,
    store: rt.store,
    logger: rt.logger,
    settings,
    push: { state: rt.push, configured: Boolean(config.webhook.secret) },
    attention: new K3CloudAttention(rt.connection, config.queuePrefix),
    writer: () => readWriterLease(rt.connection, config.queuePrefix),
    stuck: new StuckReceiptsReport(rt.connection, config.queuePrefix),
    series: rt.series,
    rehearsals: new RehearsalRequests(rt.connection, config.queuePrefix),
  });
  const server = await startHealthServer({
    port: settings.port,
    host: settings.host,
    logger: rt.logger,
    checks: {
      redis: async () => void (await rt.connection.ping()),
      store: () => rt.store.ping(),
      'k3cloud-session': k3SessionCheck(rt),
      ...Object.assign({}, ...stages.map((s) => s.checks ?? {})),
    },
    live: () => stages.every((s) => s.workers.every((w) => w.isRunning())) && healer.healthy(),
    metrics: async () => {
      await sampleGauges(rt);
      return rt.metrics.metricsText();
    },
    guard,
    extraRoutes: (app) => app.use(dashboard),
  });
  const stopActivity = demo ? startDemoActivity(demo, config.sync.intervalSeconds * 1000, rt.logger) : () => undefined;
  rt.logger.info(
    { dashboard: server.url, listen: server.listenAddress, allowedHosts: settings.allowedHosts.length },
    `receipt-sync running; ${listeningMessage('dashboard', server)} (Bull Board at ${server.url}/queues)`,
  );
  if (config.logFormat === undefined) {
    printStartSummary(
      {
        dashboardUrl: server.url,
        localOnly: settings.auth.localOnly && !settings.auth.username,
        queuePrefix: config.queuePrefix,
        push: Boolean(config.webhook.secret),
        webhookPort: env.WEBHOOK_PORT,
        ...(demo ? { demo: { okki: demo.okki.url, k3cloud: demo.k3.baseUrl, env: demo.env } } : {}),
      },
      t,
    );
  }
  const stopLines = config.logFormat === undefined ? startWindowLines(rt.store, t) : () => undefined;
  if (demo) {
    rt.logger.info(
      { okki: demo.okki.url, k3cloud: demo.k3.baseUrl },
      settings.auth.username
        ? 'demo mode: simulators started; log in to the dashboard with DASHBOARD_USERNAME / DASHBOARD_PASSWORD'
        : 'demo mode: simulators started; the dashboard is local-only (127.0.0.1) and needs no login. Set DASHBOARD_USERNAME and DASHBOARD_PASSWORD to require one',
    );
  }

  const shutdown = new Shutdown(rt.logger, config.shutdownTimeoutMs);
  shutdown.add('demo activity', async () => {
    stopActivity();
    stopLines();
    healer.stop();
  });
  if (receiver) shutdown.add('push receiver', () => receiver.close());
  for (const stage of stages) shutdown.add('stage workers', () => stage.close());
  shutdown.add('alert monitor', () => monitor.stop());
  shutdown.add('http server', () => server.close());
  shutdown.add('runtime', () => rt.close());
  if (demo) shutdown.add('simulators', () => demo.close());
  shutdown.installSignalHandlers();
  process.on('unhandledRejection', (err) => rt.logger.error({ err }, 'unhandled rejection'));
}

main().catch((error: unknown) => {
  console.error(
    t('terminal.start.failed', {
      error: errorText(error, t),
    }),
  );
  process.exit(1);
});
