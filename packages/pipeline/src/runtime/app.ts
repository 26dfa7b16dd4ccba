import { loadConfig, startFailureText } from '@receipt-sync/core';
import { startHealthServer, type ReadinessCheck } from '@receipt-sync/core';
import { sampleGauges } from './gauges';
import { createRuntime, type Runtime } from './runtime';
import { startRedisHealer } from './redis-healer';
import { Shutdown } from './shutdown';
import type { RunningStage } from './stage-workers';

export interface StageAppOptions {
  name: string;
  needsOkki: boolean;
  needsK3: boolean;
  /** Build the OKKI client when configured, without requiring it (RuntimeOptions.wantsOkki). */
  wantsOkki?: boolean;
  defaultHealthPort: number;
  start(rt: Runtime): Promise<RunningStage[]>;
  /** Extra readiness checks, e.g. a K3Cloud session for the writer. */
  checks?: (rt: Runtime) => Record<string, ReadinessCheck>;
}

/**
 * The whole life of one stage process: config (exit 1 with the message on error), runtime, stages,
 * /healthz /readyz /metrics, queue-depth sampling, and an ordered shutdown on SIGTERM/SIGINT.
 */
export async function runStageApp(opts: StageAppOptions): Promise<void> {
  let rt: Runtime;
  try {
    rt = await createRuntime(loadConfig(), {
      name: opts.name,
      needsOkki: opts.needsOkki,
      needsK3: opts.needsK3,
      wantsOkki: opts.wantsOkki,
    });
  } catch (error) {
    console.error(startFailureText(opts.name, error));
    process.exit(1);
  }
  let stages: RunningStage[];
  try {
    stages = await opts.start(rt);
  } catch (error) {
    console.error(startFailureText(opts.name, error));
    await rt.close().catch(() => undefined);
    process.exit(1);
  }
  const healer = await startRedisHealer(rt, rt.store, stages);
  const sampler = setInterval(() => void sampleGauges(rt), 15_000);
  const health = await startHealthServer({
    port: rt.config.healthPort ?? opts.defaultHealthPort,
    // HEALTH_HOST, loopback by default: metrics are for Prometheus inside the deployment.
    host: rt.config.healthHost,
    allowedHosts: rt.config.healthAllowedHosts,
    checks: {
      redis: async () => void (await rt.connection.ping()),
      store: () => rt.store.ping(),
      ...Object.assign({}, ...stages.map((s) => s.checks ?? {})),
      ...(opts.checks?.(rt) ?? {}),
    },
    // Unhealthy when a worker stopped, or when Redis state could not be confirmed or rebuilt for
    // REDIS_HEAL_TIMEOUT_SECONDS: the orchestrator restarts the process.
    live: () => stages.every((s) => s.workers.every((w) => w.isRunning())) && healer.healthy(),
    metrics: () => rt.metrics.metricsText(),
    logger: rt.logger,
  });
  rt.logger.info({ health: health.url }, `${opts.name} started`);
  const shutdown = new Shutdown(rt.logger, rt.config.shutdownTimeoutMs);
  shutdown.add('stop sampling', async () => {
    clearInterval(sampler);
    healer.stop();
  });
  for (const stage of stages) shutdown.add('stage workers', () => stage.close());
  shutdown.add('health server', () => health.close());
  shutdown.add('runtime', () => rt.close());
  shutdown.installSignalHandlers();
  process.on('unhandledRejection', (err) => rt.logger.error({ err }, 'unhandled rejection'));
}
