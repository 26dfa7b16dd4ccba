import type IORedis from 'ioredis';
import { fanOutAudit, type ApiAuditSink, type ApiCallRecord } from '@receipt-sync/api-audit';
import { secretsOf, type Config } from '@receipt-sync/config';
import { KingdeeClient } from '@receipt-sync/kingdee-client';
import { createLogger, registerSecret, type Logger } from '@receipt-sync/logger';
import { DEFAULT_MAPPING, loadMapping, type Mapping } from '@receipt-sync/mapping';
import { createMetrics, type SyncMetrics } from '@receipt-sync/metrics';
import { closeQueues, createQueues, createRedisConnection, OutcomeTracker, type PipelineQueues } from '@receipt-sync/queues';
import { createStore, type SyncStore } from '@receipt-sync/store';
import { XiaomanClient } from '@receipt-sync/xiaoman-client';

export interface Runtime {
  name: string;
  config: Config;
  logger: Logger;
  connection: IORedis;
  queues: PipelineQueues;
  tracker: OutcomeTracker;
  store: SyncStore;
  mapping: Mapping;
  metrics: SyncMetrics;
  audit: ApiAuditSink;
  okki?: XiaomanClient;
  k3?: KingdeeClient;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  name: string;
  needsOkki?: boolean;
  needsK3?: boolean;
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
  if (opts.needsOkki && !config.xiaoman) throw new Error('XIAOMAN_CLIENT_ID and XIAOMAN_CLIENT_SECRET must be set');
  if (opts.needsK3 && !config.kingdee) throw new Error('KINGDEE_BASE_URL, KINGDEE_ACCT_ID, KINGDEE_USERNAME and a password or app secret must be set');
  const mapping = config.mappingFile ? loadMapping(config.mappingFile) : DEFAULT_MAPPING;

  const connection = createRedisConnection(config.redisUrl);
  connection.on('error', (err) => logger.warn({ err }, 'redis connection error'));
  await pingWithin(connection, 10_000, config.redisUrl);
  const queues = createQueues(connection, config.queuePrefix);
  const store = createStore({ mongoUrl: config.mongoUrl, mongoDb: config.mongoDb, redis: config.mongoUrl ? undefined : connection, prefix: config.queuePrefix });
  await store.init();
  const metrics = opts.metrics ?? createMetrics();
  const storeSink = store.audit.sink();
  const logSink: ApiAuditSink = {
    record: (r: ApiCallRecord) => logger[r.outcome === 'ok' ? 'debug' : 'info']({ api: r }, `${r.system} ${r.operation} ${r.outcome}`),
  };
  const audit = fanOutAudit(storeSink, metrics.auditSink(), logSink);

  const okki = opts.needsOkki && config.xiaoman
    ? new XiaomanClient({
        baseUrl: config.xiaoman.baseUrl, clientId: config.xiaoman.clientId, clientSecret: config.xiaoman.clientSecret,
        timeoutMs: config.xiaoman.timeoutMs, maxRps: config.xiaoman.maxRps, redis: connection,
        limiterId: `${config.queuePrefix}-okki`, audit, logger: logger.child({ api: 'okki' }),
      })
    : undefined;
  const k3 = opts.needsK3 && config.kingdee
    ? new KingdeeClient({
        baseUrl: config.kingdee.baseUrl, acctId: config.kingdee.acctId, username: config.kingdee.username,
        password: config.kingdee.password, appId: config.kingdee.appId, appSecret: config.kingdee.appSecret,
        lcid: config.kingdee.lcid, timeoutMs: config.kingdee.timeoutMs, maxConcurrency: config.kingdee.maxConcurrency,
        redis: connection, limiterId: `${config.queuePrefix}-k3cloud`, audit, logger: logger.child({ api: 'k3cloud' }),
      })
    : undefined;

  return {
    name: opts.name, config, logger, connection, queues, store, mapping, metrics, audit, okki, k3,
    tracker: new OutcomeTracker(connection, config.queuePrefix),
    async close() {
      await Promise.allSettled([okki?.close(), k3?.close()]);
      await closeQueues(queues);
      await store.close().catch(() => undefined);
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}

/** With maxRetriesPerRequest null a ping waits forever for a dead Redis; start-up must fail instead. */
async function pingWithin(connection: IORedis, ms: number, url: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      connection.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Redis at ${url.replace(/\/\/[^@]*@/, '//')} did not answer within ${ms} ms`)), ms);
      }),
    ]);
  } catch (error) {
    connection.disconnect();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
