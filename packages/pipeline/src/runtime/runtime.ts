import { fanOutAudit, type ApiAuditSink, type ApiCallRecord } from '@receipt-sync/core';
import { configErrorOf, secretsOf, type Config } from '@receipt-sync/core';
import { createRedisClient, describeRedisTarget, settlesWithin, type RedisClient } from '@receipt-sync/core';
import { K3CloudClient } from '@receipt-sync/k3cloud';
import { createLogger, registerSecret, type Logger } from '@receipt-sync/core';
import { DEFAULT_MAPPING, loadMapping, type Mapping } from '@receipt-sync/mapping';
import { createMetrics, type SyncMetrics } from '@receipt-sync/core';
import { closeQueues, createQueues, OutcomeTracker, type PipelineQueues } from '../queues';
import { createStore, TimeSeries, type SyncStore } from '@receipt-sync/store';
import { OkkiClient } from '@receipt-sync/okki';
import { PushState } from '../push/push-state';
import type { CheckpointMemory } from '../producer';
import { startTracing, type TracedSystem, type Tracing } from '../tracing';

/** How long each step of Runtime.close may take before the next one starts. */
const CLOSE_STEP_MS = 5_000;

export interface Runtime {
  name: string;
  config: Config;
  logger: Logger;
  connection: RedisClient;
  queues: PipelineQueues;
  tracker: OutcomeTracker;
  /** OKKI push bookkeeping in Redis (message dedupe, first sightings, freshness samples). */
  push: PushState;
  store: SyncStore;
  /** Per-minute outcome counts for the dashboard's charts (Redis, last 24 h). */
  series: TimeSeries;
  mapping: Mapping;
  metrics: SyncMetrics;
  audit: ApiAuditSink;
  okki?: OkkiClient;
  k3?: K3CloudClient;
  /** OpenTelemetry tracing; undefined (and never loaded) without OTEL_EXPORTER_OTLP_ENDPOINT. */
  tracing?: Tracing;
  /** The newest sync checkpoint this process has seen (resume point and lag if the store loses it). */
  checkpointMemory: CheckpointMemory;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  name: string;
  needsOkki?: boolean;
  needsK3?: boolean;
  /**
   * Build the OKKI client when XIAOMAN_* is configured, without requiring it (the writer: while it
   * is the active writer it answers reconcile requests, which need both systems).
   */
  wantsOkki?: boolean;
  logger?: Logger;
  metrics?: SyncMetrics;
}

/**
 * Everything a stage needs, built once per process from the validated config. Fails fast with a
 * message naming what is missing; never prints a secret (they are registered with the logger first).
 */
export async function createRuntime(config: Config, opts: RuntimeOptions): Promise<Runtime> {
  for (const secret of secretsOf(config)) registerSecret(secret);
  const logger = opts.logger ?? createLogger({ name: opts.name, level: config.logLevel });
  if (opts.needsOkki && !config.okki) throw configErrorOf([{ variable: 'XIAOMAN_CLIENT_ID', problem: 'needsOkki' }]);
  if (opts.needsK3 && !config.k3cloud) throw configErrorOf([{ variable: 'KINGDEE_BASE_URL', problem: 'needsK3' }]);
  const mapping = config.mappingFile ? loadMapping(config.mappingFile) : DEFAULT_MAPPING;

  const connection = createRedisClient(config.redis);
  connection.on('error', (err) => logger.warn({ err }, 'redis connection error'));
  await pingWithin(connection, 10_000, describeRedisTarget(config.redis));
  const tracing = await startTracing({
    enabled: config.tracing,
    serviceName: opts.name.startsWith('receipt-sync') ? opts.name : `receipt-sync-${opts.name}`,
    systems: tracedSystems(config),
  });
  const queues = createQueues(connection, config.queuePrefix, tracing?.bullmq);
  const store = openStore(config, connection);
  await store.init();
  const metrics = opts.metrics ?? createMetrics();
  const storeSink = store.audit.sink();
  const logSink: ApiAuditSink = {
    record: (r: ApiCallRecord) =>
      logger[r.outcome === 'ok' ? 'debug' : 'info']({ api: r }, `${r.system} ${r.operation} ${r.outcome}`),
  };
  const audit = fanOutAudit(storeSink, metrics.auditSink(), logSink);

  const clients = createApiClients(config, {
    okki: opts.needsOkki || opts.wantsOkki,
    k3: opts.needsK3,
    redis: connection,
    audit,
    logger,
  });
  const { okki, k3 } = clients;

  return {
    name: opts.name,
    config,
    logger,
    connection,
    queues,
    store,
    series: new TimeSeries(connection, config.queuePrefix),
    mapping,
    metrics,
    audit,
    okki,
    k3,
    tracker: new OutcomeTracker(connection, config.queuePrefix),
    push: new PushState(connection, config.queuePrefix),
    checkpointMemory: {},
    tracing,
    // Each step gets a deadline: after a Redis Cluster failover a command can wait for ever on the
    // node that died (see closeWorkers); the connection is then disconnected instead of quit.
    async close() {
      await settlesWithin(Promise.allSettled([okki?.close(), k3?.close()]), CLOSE_STEP_MS);
      if (tracing)
        await settlesWithin(
          tracing.flush().catch(() => undefined),
          CLOSE_STEP_MS,
        );
      await settlesWithin(closeQueues(queues), CLOSE_STEP_MS);
      await settlesWithin(store.close(), CLOSE_STEP_MS);
      const quit = connection.quit().then(
        () => true,
        () => false,
      );
      if (!((await settlesWithin(quit, CLOSE_STEP_MS)) && (await quit))) connection.disconnect();
    },
  };
}

/** The API origins whose HTTP calls become client spans. */
function tracedSystems(config: Config): TracedSystem[] {
  return [
    ...(config.okki ? [{ system: 'okki' as const, origin: config.okki.baseUrl }] : []),
    ...(config.k3cloud ? [{ system: 'k3cloud' as const, origin: config.k3cloud.baseUrl }] : []),
  ];
}

export interface ApiClientOptions {
  okki?: boolean;
  k3?: boolean;
  /** Shares rate limits across replicas; without it limits are per process (doctor). */
  redis?: RedisClient;
  audit?: ApiAuditSink;
  logger: Logger;
}

/** The OKKI and K3Cloud clients the config describes (each only when asked for and configured). */
export function createApiClients(config: Config, opts: ApiClientOptions): { okki?: OkkiClient; k3?: K3CloudClient } {
  const okki =
    opts.okki && config.okki
      ? new OkkiClient({
          baseUrl: config.okki.baseUrl,
          clientId: config.okki.clientId,
          clientSecret: config.okki.clientSecret,
          timeoutMs: config.okki.timeoutMs,
          maxRps: config.okki.maxRps,
          redis: opts.redis,
          limiterId: `${config.queuePrefix}-okki`,
          audit: opts.audit,
          logger: opts.logger.child({ api: 'okki' }),
        })
      : undefined;
  const k3 =
    opts.k3 && config.k3cloud
      ? new K3CloudClient({
          baseUrl: config.k3cloud.baseUrl,
          acctId: config.k3cloud.acctId,
          username: config.k3cloud.username,
          password: config.k3cloud.password,
          appId: config.k3cloud.appId,
          appSecret: config.k3cloud.appSecret,
          lcid: config.k3cloud.lcid,
          timeoutMs: config.k3cloud.timeoutMs,
          maxConcurrency: config.k3cloud.maxConcurrency,
          redis: opts.redis,
          limiterId: `${config.queuePrefix}-k3cloud`,
          credentialNames:
            config.k3cloud.appId && config.k3cloud.appSecret
              ? 'KINGDEE_ACCT_ID, KINGDEE_USERNAME, KINGDEE_APP_ID and KINGDEE_APP_SECRET'
              : 'KINGDEE_ACCT_ID, KINGDEE_USERNAME and KINGDEE_PASSWORD',
          audit: opts.audit,
          logger: opts.logger.child({ api: 'k3cloud' }),
        })
      : undefined;
  return { okki, k3 };
}

/** The durable store the config names: MongoDB when MONGO_URL is set, else Redis on `connection`. */
export function openStore(config: Config, connection: RedisClient): SyncStore {
  return createStore({
    mongoUrl: config.mongoUrl,
    mongoDb: config.mongoDb,
    redis: config.mongoUrl ? undefined : connection,
    prefix: config.queuePrefix,
  });
}

/** With maxRetriesPerRequest null a ping waits forever for a dead Redis; start-up must fail instead. */
async function pingWithin(connection: RedisClient, ms: number, where: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      connection.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${where} did not answer within ${ms} ms`)), ms);
      }),
    ]);
  } catch (error) {
    connection.disconnect();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
