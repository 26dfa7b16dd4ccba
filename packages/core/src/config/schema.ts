import { z } from 'zod';
import type { ConfigIssue } from '../errors';
import { parseChinaTime } from '../time';

/** Empty (or, where said, blank) strings in an env file mean "not set". */
const blank = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalText = z.preprocess((v) => (v === '' ? undefined : v), z.string().trim().min(1).optional());
const int = (def: number, min: number, max: number) =>
  z.preprocess(
    (v) => (v === '' || v === undefined ? undefined : v),
    z.coerce.number().int().min(min).max(max).default(def),
  );
/**
 * `z.coerce.boolean()` turns "false" into true; this does not (docs/operations.md#boolean-environment-variables).
 * Service variables take true/1/yes/on and false/0/no/off; the dashboard's take only true/1 and false/0.
 */
const bool = (def: boolean) =>
  z.preprocess(
    (v) => (v === '' || v === undefined ? undefined : v),
    z
      .stringbool({ truthy: ['true', '1', 'yes', 'on'], falsy: ['false', '0', 'no', 'off'], error: 'bool' })
      .default(def),
  );
/** An http(s) URL, surrounding blanks trimmed. */
export const httpUrl = z
  .string()
  .trim()
  .refine((s) => /^https?:\/\//i.test(s) && URL.canParse(s), 'httpUrl');
const strictBool = z.preprocess(
  blank,
  z.stringbool({ truthy: ['true', '1'], falsy: ['false', '0'], error: 'strictBool' }).default(false),
);
const url = () =>
  z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.string().refine((s) => /^https?:\/\//.test(s) && URL.canParse(s), { message: 'httpUrl' }),
  );

/** `rsync`, or hash-tagged for Redis Cluster: `{rsync}`, `{rsync}-eu` (the tag is what Redis hashes). */
export const QUEUE_PREFIX_PATTERN = /^(\{[A-Za-z0-9_-]+\}[A-Za-z0-9_-]*|[A-Za-z0-9_-]+)$/;

/** True when `prefix` starts with a Redis Cluster hash tag (`{…}`), so every key under it shares one slot. */
export function isHashTagged(prefix: string): boolean {
  return /^\{[^{}]+\}/.test(prefix);
}
/** docs/apis/okki.md §12.4: the AES-256-GCM key is base64-decode(security_config), 32 bytes. */
function isAesKey(text: string): boolean {
  return /^[A-Za-z0-9+/]+={0,2}$/.test(text) && Buffer.from(text, 'base64').length === 32;
}

/** The dashboard's variables (docs/operations.md, Configuration), read by @receipt-sync/dashboard. */
const dashboardVariables = {
  DASHBOARD_USERNAME: z.preprocess(
    blank,
    z
      .string()
      .min(1)
      .max(200)
      .refine((s) => !s.includes(':'), 'noColon')
      .optional(),
  ),
  // Not trimmed: a password may legitimately start or end with a space.
  DASHBOARD_PASSWORD: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(1).max(500).optional()),
  DASHBOARD_LOCAL_ONLY: strictBool,
  DASHBOARD_PORT: z.preprocess(blank, z.coerce.number().int().min(0).max(65535).default(3000)),
  /**
   * added: host names (`name` or `name:port`, comma-separated) the dashboard answers to besides the
   * loopback names on its port; entries are checked by the dashboard (DNS-rebinding guard).
   */
  DASHBOARD_ALLOWED_HOSTS: z.preprocess(blank, z.string().max(2000).optional()),
  /** added: language of the dashboard pages, pinned (no switch); unset = Accept-Language, then the page's switch. */
  DASHBOARD_LOCALE: z.preprocess(blank, z.enum(['zh-CN', 'en']).optional()),
  /** added: language of the DingTalk, WeCom and Feishu alerts. */
  ALERT_LOCALE: z.preprocess(blank, z.enum(['zh-CN', 'en']).default('zh-CN')),
  /** added: how often the alert monitor evaluates its rules. */
  ALERT_CHECK_INTERVAL_SECONDS: z.preprocess(blank, z.coerce.number().int().min(5).max(86_400).default(60)),
  /** added: `kind=url,kind=url` webhooks (dingtalk, wecom, feishu, slack); entries are checked by the alerts module. */
  ALERT_WEBHOOKS: z.preprocess(blank, z.string().optional()),
  /** added: linked from every alert message. */
  ALERT_DASHBOARD_URL: z.preprocess(blank, httpUrl.optional()),
  /** added: DingTalk "加签" secret. */
  ALERT_DINGTALK_SECRET: z.preprocess(blank, z.string().trim().min(1).optional()),
  /** added: checkpoint lag that raises an alert; unset = 3 × SYNC_INTERVAL_SECONDS. */
  ALERT_LAG_SECONDS: z.preprocess(
    blank,
    z.coerce.number({ error: 'wholeNumber' }).int('wholeNumber').positive('positive').optional(),
  ),
  /** added: more receipt versions than this per hour reaching us by polling first (missed OKKI pushes) raise an alert. */
  ALERT_MISSED_PUSHES: z.preprocess(
    blank,
    z.coerce.number({ error: 'wholeNumber' }).int('wholeNumber').positive('positive').optional(),
  ),
  /**
   * added: a link to a receipt's trace on its page; `{traceId}` is replaced, e.g.
   * `http://localhost:16686/trace/{traceId}` (Jaeger) (docs/observability.md).
   */
  TRACE_URL_TEMPLATE: z.preprocess(blank, httpUrl.refine((s) => s.includes('{traceId}'), 'traceId').optional()),
};

/**
 * Every variable of docs/operations.md#configuration, with its documented
 * default, plus the project's own additions (marked "added"). The one schema of the environment:
 * `loadConfig` parses the service's part at start-up, the dashboard its own part (DashboardEnvSchema),
 * so a bad dashboard variable stops the dashboard, not the producer.
 */
const serviceVariables = {
  REDIS_URL: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z
      .string()
      .regex(/^rediss?:\/\//, 'redisUrl')
      .default('redis://127.0.0.1:6379'),
  ),
  /**
   * contract: `host:port,…` of a Redis Cluster; replaces REDIS_URL (QUEUE_PREFIX must then be hash-tagged).
   * Credentials, when the cluster needs them, come from REDIS_URL's user and password.
   */
  REDIS_CLUSTER_NODES: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z
      .string()
      .regex(/^\s*[^\s,:]+:\d{1,5}\s*(,\s*[^\s,:]+:\d{1,5}\s*)*$/, 'clusterNodes')
      .optional(),
  ),
  QUEUE_PREFIX: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.string().regex(QUEUE_PREFIX_PATTERN, 'queuePrefix').default('rsync'),
  ),
  MONGO_URL: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z
      .string()
      .regex(/^mongodb(\+srv)?:\/\//, 'mongoUrl')
      .optional(),
  ),
  /** added: database name when MONGO_URL carries none. */
  MONGO_DB: z.preprocess((v) => (v === '' ? undefined : v), z.string().default('receipt_sync')),

  XIAOMAN_BASE_URL: url().default('https://api-sandbox.xiaoman.cn'),
  XIAOMAN_CLIENT_ID: optionalText,
  XIAOMAN_CLIENT_SECRET: optionalText,
  XIAOMAN_PAGE_SIZE: int(100, 1, 500),
  XIAOMAN_MAX_RPS: z.preprocess(
    (v) => (v === '' || v === undefined ? undefined : v),
    z.coerce.number().positive().max(1000).default(5),
  ),
  /** added: per-request deadline; the spec's servers answer within 60 s. */
  XIAOMAN_TIMEOUT_MS: int(60_000, 100, 600_000),
  /** added: fetch bank details from /v1/invoices/receipt/info (one extra call per receipt). */
  XIAOMAN_ENRICH_BANK: bool(true),

  KINGDEE_BASE_URL: z.preprocess((v) => (v === '' ? undefined : v), url().optional()),
  KINGDEE_ACCT_ID: optionalText,
  KINGDEE_USERNAME: optionalText,
  KINGDEE_PASSWORD: optionalText,
  KINGDEE_LCID: int(2052, 1, 99999),
  KINGDEE_APP_ID: optionalText,
  KINGDEE_APP_SECRET: optionalText,
  KINGDEE_MAX_CONCURRENCY: int(4, 1, 64),
  KINGDEE_BATCH_SIZE: int(50, 1, 1000),
  /** added: per-request deadline (official SDKs use 120 s). */
  KINGDEE_TIMEOUT_MS: int(120_000, 100, 600_000),
  /**
   * How long after a save whose answer never came (timeout, lost connection) K3Cloud may still apply
   * it (it queues WebAPI calls and does not cancel one whose client gave up): its rows are not sent
   * again before this time has passed unless a read shows them applied.
   */
  KINGDEE_LATE_WRITE_SECONDS: int(300, 0, 86_400),
  /**
   * What to do when K3Cloud refuses or ignores a write because the sales order is audited / in
   * approval: `wait` (long back-off, then dead-letter) or `unaudit` (UnAudit → Save → Submit → Audit).
   */
  KINGDEE_LOCKED_ORDER_POLICY: z.preprocess(
    (v) => (v === '' || v === undefined ? undefined : typeof v === 'string' ? v.trim().toLowerCase() : v),
    z.enum(['wait', 'unaudit'], { error: 'lockedOrderPolicy' }).default('wait'),
  ),
  /** added: while the mapping does not fit K3Cloud's metadata, the writer checks again this often. */
  PREFLIGHT_RECHECK_SECONDS: int(180, 1, 86_400),

  SYNC_START_TIME: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z
      .string()
      .refine((s) => parseChinaTime(s) !== undefined, 'chinaTime')
      .optional(),
  ),
  SYNC_INTERVAL_SECONDS: int(300, 1, 86_400),
  SYNC_LOOKBACK_SECONDS: int(120, 0, 30 * 86_400),
  SYNC_SAFETY_LAG_SECONDS: int(5, 0, 86_400),
  /**
   * A receipt version seen but neither written nor held back (quarantined, dead-lettered, unchanged)
   * for this long, with no job left for it, is fetched from OKKI again and re-queued.
   */
  SYNC_STUCK_SECONDS: int(900, 1, 7 * 86_400),
  /**
   * added: two lanes (docs/architecture.md#lanes): live work (pushes, the newest window, replays)
   * goes ahead of bulk work (backfills, large windows) in the queues, the OKKI budget and the
   * writer's batches; off = one first-come-first-served lane.
   */
  SYNC_LANES: bool(true),
  MAPPING_FILE: optionalText,
  /** OKKI push (docs/apis/okki.md §12): the callback's `security_config`; set = the push receiver runs. */
  XIAOMAN_WEBHOOK_SECRET: optionalText.refine((s) => s === undefined || isAesKey(s), {
    message: 'webhookSecret',
  }),
  WEBHOOK_PORT: int(3200, 0, 65535),
  /** added: a push whose X-Timestamp is further than this from now (either way) is refused. */
  WEBHOOK_MAX_SKEW_SECONDS: int(300, 1, 86_400),

  /** added: `json` = one JSON line per log record (log shippers); `pretty` = human lines; unset = pretty on a terminal, a short summary otherwise. */
  LOG_FORMAT: z.preprocess(blank, z.enum(['json', 'pretty']).optional()),
  /** added: pino level. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** added: raw jobs processed at once per transformer process. */
  TRANSFORMER_CONCURRENCY: int(32, 1, 1000),
  /** added: ready jobs held at once per writer process; 0 = 2 × KINGDEE_BATCH_SIZE × KINGDEE_MAX_CONCURRENCY. */
  WRITER_CONCURRENCY: int(0, 0, 5000),
  /**
   * added: one writer process writes at a time, holding a lease in Redis that it renews; a standby
   * takes over at once after a clean stop, and this long after the active one died.
   */
  WRITER_LEASE_SECONDS: int(10, 2, 300),
  /** added: how long the writer waits to fill a BatchSave before sending a partial one. */
  WRITER_LINGER_MS: int(50, 0, 10_000),
  /** added: back-off (seconds, comma-separated) while a receipt's sales order is missing in K3Cloud. */
  ORDER_WAIT_DELAYS: z.preprocess(
    (v) => (v === '' || v === undefined ? undefined : v),
    z
      .string()
      .regex(/^\d+(,\d+)*$/, 'orderWaitDelays')
      .default('60,300,900,1800,3600,7200,14400'),
  ),
  /** added: first retry delay of a failed raw/ready job (capped exponential back-off with jitter). */
  RETRY_BASE_DELAY_MS: int(1_000, 10, 600_000),
  /** added: longest wait between two retries. */
  RETRY_MAX_DELAY_MS: int(60_000, 10, 3_600_000),
  /** added: BullMQ job lock; a killed process's jobs are retried after it. */
  WORKER_LOCK_MS: int(30_000, 1000, 600_000),
  /**
   * added: OpenTelemetry traces go to this OTLP/HTTP endpoint (the SDK reads every other OTEL_*
   * variable itself); unset = tracing off and the SDK is never loaded (docs/observability.md).
   */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.preprocess(blank, httpUrl.optional()),
  /** added: same, for traces only (the standard per-signal variable). */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.preprocess(blank, httpUrl.optional()),
  /**
   * added: address /healthz, /readyz and /metrics listen on. Default loopback: metrics are for
   * Prometheus inside the deployment, never the internet; containers set 0.0.0.0 on a private network.
   */
  HEALTH_HOST: z.preprocess(blank, z.string().min(1).max(255).default('127.0.0.1')),
  /**
   * added: host names (comma-separated) the health ports answer to besides `localhost` and IP
   * addresses, e.g. the compose service names Prometheus scrapes (`producer,transformer,writer`).
   */
  HEALTH_ALLOWED_HOSTS: z.preprocess(blank, z.string().max(2000).default('')),
  /** added: port of /healthz, /readyz and /metrics (per app default when unset). */
  HEALTH_PORT: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(0).max(65535).optional()),
  /** added: graceful shutdown deadline; container stop grace periods must exceed it. */
  SHUTDOWN_TIMEOUT_MS: int(30_000, 1000, 600_000),
  /**
   * added: /healthz fails once a process has not confirmed (or rebuilt, after Redis came back
   * empty) its Redis state for this long, so an orchestrator restarts it.
   */
  REDIS_HEAL_TIMEOUT_SECONDS: int(300, 10, 86_400),
};

export const EnvSchema = z.object({ ...serviceVariables, ...dashboardVariables });
const onlyKeysOf = <T extends object>(vars: T) =>
  Object.fromEntries(Object.keys(vars).map((k) => [k, true])) as { [K in keyof T]: true };
/** The variables every service process reads (`loadConfig`). */
export const ServiceEnvSchema = EnvSchema.pick(onlyKeysOf(serviceVariables));
/** The dashboard's own variables (`dashboardSettingsFromEnv`). */
export const DashboardEnvSchema = EnvSchema.pick(onlyKeysOf(dashboardVariables));

/**
 * Cross-variable rules, checked on the raw environment so they are reported together with
 * per-variable errors (zod skips object refinements once a field fails).
 */
export function crossFieldIssues(raw: NodeJS.ProcessEnv): ConfigIssue[] {
  const set = (k: string) => typeof raw[k] === 'string' && raw[k]!.trim() !== '';
  const issues: ConfigIssue[] = [];
  const pair = (a: string, b: string) => {
    if (set(a) !== set(b))
      issues.push({ variable: set(a) ? b : a, problem: 'together', params: { other: set(a) ? a : b } });
  };
  if (set('REDIS_CLUSTER_NODES') && !isHashTagged(raw.QUEUE_PREFIX?.trim() || 'rsync'))
    issues.push({ variable: 'QUEUE_PREFIX', problem: 'hashTagged' });
  if (set('READY_SHARDS')) issues.push({ variable: 'READY_SHARDS', problem: 'readyShards' });
  pair('XIAOMAN_CLIENT_ID', 'XIAOMAN_CLIENT_SECRET');
  pair('KINGDEE_APP_ID', 'KINGDEE_APP_SECRET');
  if (set('KINGDEE_BASE_URL')) {
    for (const key of ['KINGDEE_ACCT_ID', 'KINGDEE_USERNAME']) {
      if (!set(key)) issues.push({ variable: key, problem: 'requiredWith', params: { other: 'KINGDEE_BASE_URL' } });
    }
    if (!set('KINGDEE_PASSWORD') && !(set('KINGDEE_APP_ID') && set('KINGDEE_APP_SECRET'))) {
      issues.push({ variable: 'KINGDEE_PASSWORD', problem: 'passwordOrApp' });
    }
  }
  return issues;
}

export type Env = z.infer<typeof ServiceEnvSchema>;
