import { configErrorOf, configIssuesFromZod } from './issues';
import { crossFieldIssues, ServiceEnvSchema, type Env } from './schema';

export interface OkkiSettings {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  pageSize: number;
  maxRps: number;
  timeoutMs: number;
  enrichBank: boolean;
}

export interface K3CloudSettings {
  baseUrl: string;
  acctId: string;
  username: string;
  password?: string;
  lcid: number;
  appId?: string;
  appSecret?: string;
  maxConcurrency: number;
  batchSize: number;
  timeoutMs: number;
  /** KINGDEE_LOCKED_ORDER_POLICY (operating contract). */
  lockedOrderPolicy: LockedOrderPolicy;
  /** How often a failed metadata preflight is repeated. */
  preflightRecheckMs: number;
  /** KINGDEE_LATE_WRITE_SECONDS × 1000: how long a save without an answer may still land. */
  lateWriteMs: number;
}

/** Where Redis is: one server (`url`) or a cluster (`clusterNodes`, which then wins). */
export interface RedisTarget {
  /** REDIS_URL; in cluster mode only its user and password are used. */
  url: string;
  /** REDIS_CLUSTER_NODES, parsed. */
  clusterNodes?: Array<{ host: string; port: number }>;
}
export type LockedOrderPolicy = 'wait' | 'unaudit';

export interface Config {
  env: Env;
  redisUrl: string;
  /** REDIS_URL and REDIS_CLUSTER_NODES together: hand this to `createRedisClient`. */
  redis: RedisTarget;
  queuePrefix: string;
  mongoUrl?: string;
  mongoDb: string;
  /** Undefined when no OKKI credentials are configured (the demo then starts simulators). */
  okki?: OkkiSettings;
  /** Undefined when no K3Cloud server is configured. */
  k3cloud?: K3CloudSettings;
  sync: {
    startTime?: string;
    intervalSeconds: number;
    lookbackSeconds: number;
    safetyLagSeconds: number;
    /** SYNC_STUCK_SECONDS × 1000: a version seen this long without an outcome or a job is re-driven. */
    stuckMs: number;
    /** SYNC_LANES: bulk work (backfills, large windows) queues behind live work; false = one lane. */
    lanes: boolean;
  };
  mappingFile?: string;
  logLevel: Env['LOG_LEVEL'];
  /** LOG_FORMAT: `json` lines, `pretty` lines, or undefined = a short human summary (npm start). */
  logFormat: Env['LOG_FORMAT'];
  shutdownTimeoutMs: number;
  /** REDIS_HEAL_TIMEOUT_SECONDS × 1000: longest time without a confirmed Redis state before /healthz fails. */
  redisHealTimeoutMs: number;
  workers: {
    transformerConcurrency: number;
    writerConcurrency: number;
    /** WRITER_LEASE_SECONDS × 1000: how long the active writer's lease lasts without renewal. */
    writerLeaseMs: number;
    writerLingerMs: number;
    lockMs: number;
    orderWaitDelaysMs: number[];
    retryBaseDelayMs: number;
    retryMaxDelayMs: number;
  };
  healthPort?: number;
  /** HEALTH_HOST: where the health and metrics server listens. */
  healthHost: string;
  /** HEALTH_ALLOWED_HOSTS: host names the health ports answer to (beside localhost and IPs). */
  healthAllowedHosts: string[];
  /** OTLP endpoint set (OTEL_EXPORTER_OTLP_ENDPOINT or …_TRACES_ENDPOINT): tracing on. */
  tracing: boolean;
  /** OKKI push receiver (docs/apis/okki.md §12); `secret` undefined = push not configured. */
  webhook: { secret?: string; port: number; maxSkewSeconds: number };
}

/** Values that must never be printed; hand them to the logger's `registerSecret`. */
export function secretsOf(config: Config): string[] {
  return [config.okki?.clientSecret, config.k3cloud?.password, config.k3cloud?.appSecret, config.webhook.secret].filter(
    (s): s is string => Boolean(s),
  );
}

/**
 * Parses the environment once. Throws ConfigError whose message names every bad variable and
 * what is wrong with it, never its value (it may be a secret).
 */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ServiceEnvSchema.safeParse(source);
  const issues = [...(parsed.success ? [] : configIssuesFromZod(parsed.error, source)), ...crossFieldIssues(source)];
  if (!parsed.success || issues.length > 0) throw configErrorOf(issues);
  const env = parsed.data;
  return {
    env,
    redisUrl: env.REDIS_URL,
    redis: { url: env.REDIS_URL, clusterNodes: parseClusterNodes(env.REDIS_CLUSTER_NODES) },
    queuePrefix: env.QUEUE_PREFIX,
    mongoUrl: env.MONGO_URL,
    mongoDb: env.MONGO_DB,
    okki:
      env.XIAOMAN_CLIENT_ID && env.XIAOMAN_CLIENT_SECRET
        ? {
            baseUrl: env.XIAOMAN_BASE_URL,
            clientId: env.XIAOMAN_CLIENT_ID,
            clientSecret: env.XIAOMAN_CLIENT_SECRET,
            pageSize: env.XIAOMAN_PAGE_SIZE,
            maxRps: env.XIAOMAN_MAX_RPS,
            timeoutMs: env.XIAOMAN_TIMEOUT_MS,
            enrichBank: env.XIAOMAN_ENRICH_BANK,
          }
        : undefined,
    k3cloud:
      env.KINGDEE_BASE_URL && env.KINGDEE_ACCT_ID && env.KINGDEE_USERNAME
        ? {
            baseUrl: env.KINGDEE_BASE_URL.endsWith('/') ? env.KINGDEE_BASE_URL : `${env.KINGDEE_BASE_URL}/`,
            acctId: env.KINGDEE_ACCT_ID,
            username: env.KINGDEE_USERNAME,
            password: env.KINGDEE_PASSWORD,
            lcid: env.KINGDEE_LCID,
            appId: env.KINGDEE_APP_ID,
            appSecret: env.KINGDEE_APP_SECRET,
            maxConcurrency: env.KINGDEE_MAX_CONCURRENCY,
            batchSize: env.KINGDEE_BATCH_SIZE,
            timeoutMs: env.KINGDEE_TIMEOUT_MS,
            lockedOrderPolicy: env.KINGDEE_LOCKED_ORDER_POLICY,
            preflightRecheckMs: env.PREFLIGHT_RECHECK_SECONDS * 1000,
            lateWriteMs: env.KINGDEE_LATE_WRITE_SECONDS * 1000,
          }
        : undefined,
    sync: {
      startTime: env.SYNC_START_TIME,
      intervalSeconds: env.SYNC_INTERVAL_SECONDS,
      lookbackSeconds: env.SYNC_LOOKBACK_SECONDS,
      safetyLagSeconds: env.SYNC_SAFETY_LAG_SECONDS,
      stuckMs: env.SYNC_STUCK_SECONDS * 1000,
      lanes: env.SYNC_LANES,
    },
    mappingFile: env.MAPPING_FILE,
    logLevel: env.LOG_LEVEL,
    logFormat: env.LOG_FORMAT,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    redisHealTimeoutMs: env.REDIS_HEAL_TIMEOUT_SECONDS * 1000,
    workers: {
      transformerConcurrency: env.TRANSFORMER_CONCURRENCY,
      writerConcurrency:
        env.WRITER_CONCURRENCY || Math.min(5000, 2 * env.KINGDEE_BATCH_SIZE * env.KINGDEE_MAX_CONCURRENCY),
      writerLeaseMs: env.WRITER_LEASE_SECONDS * 1000,
      writerLingerMs: env.WRITER_LINGER_MS,
      lockMs: env.WORKER_LOCK_MS,
      orderWaitDelaysMs: env.ORDER_WAIT_DELAYS.split(',').map((s) => Number(s) * 1000),
      retryBaseDelayMs: env.RETRY_BASE_DELAY_MS,
      retryMaxDelayMs: Math.max(env.RETRY_MAX_DELAY_MS, env.RETRY_BASE_DELAY_MS),
    },
    healthPort: env.HEALTH_PORT,
    healthHost: env.HEALTH_HOST,
    healthAllowedHosts: env.HEALTH_ALLOWED_HOSTS.split(',')
      .map((h) => h.trim())
      .filter(Boolean),
    tracing: Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT),
    webhook: {
      secret: env.XIAOMAN_WEBHOOK_SECRET,
      port: env.WEBHOOK_PORT,
      maxSkewSeconds: env.WEBHOOK_MAX_SKEW_SECONDS,
    },
  };
}

function parseClusterNodes(value: string | undefined): RedisTarget['clusterNodes'] {
  if (!value) return undefined;
  return value.split(',').map((entry) => {
    const [host, port] = entry.trim().split(':') as [string, string];
    return { host, port: Number(port) };
  });
}
