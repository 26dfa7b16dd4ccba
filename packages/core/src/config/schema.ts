import { z } from 'zod';
import { parseChinaTime } from '../time';

/** Empty strings in an env file mean "not set". */
const optionalText = z.preprocess((v) => (v === '' ? undefined : v), z.string().trim().min(1).optional());
const int = (def: number, min: number, max: number) =>
  z.preprocess(
    (v) => (v === '' || v === undefined ? undefined : v),
    z.coerce.number().int().min(min).max(max).default(def),
  );
/** `z.coerce.boolean()` turns "false" into true; this does not. */
const bool = (def: boolean) =>
  z.preprocess(
    (v) => (v === '' || v === undefined ? undefined : v),
    z.stringbool({ truthy: ['true', '1', 'yes', 'on'], falsy: ['false', '0', 'no', 'off'] }).default(def),
  );
const url = (what: string) =>
  z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.string().refine((s) => /^https?:\/\//.test(s) && URL.canParse(s), { message: `${what} must be an http(s) URL` }),
  );

/** `rsync`, or hash-tagged for Redis Cluster: `{rsync}`, `{rsync}-eu` (the tag is what Redis hashes). */
export const QUEUE_PREFIX_PATTERN = /^(\{[A-Za-z0-9_-]+\}[A-Za-z0-9_-]*|[A-Za-z0-9_-]+)$/;

/** True when `prefix` starts with a Redis Cluster hash tag (`{…}`), so every key under it shares one slot. */
export function isHashTagged(prefix: string): boolean {
  return /^\{[^{}]+\}/.test(prefix);
}

/**
 * Every variable of shared/specs/operating-contract.md, with its documented default, plus the
 * project's own additions (marked "added"). Parsed once at start-up by `loadConfig`.
 */
export const EnvSchema = z.object({
  REDIS_URL: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z
      .string()
      .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
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
      .regex(/^\s*[^\s,:]+:\d{1,5}\s*(,\s*[^\s,:]+:\d{1,5}\s*)*$/, 'must be host:port,host:port,… (no scheme)')
      .optional(),
  ),
  QUEUE_PREFIX: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z
      .string()
      .regex(
        QUEUE_PREFIX_PATTERN,
        'letters, digits, _ and - only (no ":"), optionally starting with one hash tag such as {rsync}',
      )
      .default('rsync'),
  ),
  MONGO_URL: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z
      .string()
      .regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// URL')
      .optional(),
  ),
  /** added: database name when MONGO_URL carries none. */
  MONGO_DB: z.preprocess((v) => (v === '' ? undefined : v), z.string().default('receipt_sync')),

  XIAOMAN_BASE_URL: url('XIAOMAN_BASE_URL').default('https://api-sandbox.xiaoman.cn'),
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

  KINGDEE_BASE_URL: z.preprocess((v) => (v === '' ? undefined : v), url('KINGDEE_BASE_URL').optional()),
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

  SYNC_START_TIME: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z
      .string()
      .refine((s) => parseChinaTime(s) !== undefined, "must be 'YYYY-MM-DD HH:mm:ss' (Asia/Shanghai)")
      .optional(),
  ),
  SYNC_INTERVAL_SECONDS: int(300, 1, 86_400),
  SYNC_LOOKBACK_SECONDS: int(120, 0, 30 * 86_400),
  SYNC_SAFETY_LAG_SECONDS: int(5, 0, 86_400),
  MAPPING_FILE: optionalText,

  /** added: pino level. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** added: raw jobs processed at once per transformer process. */
  TRANSFORMER_CONCURRENCY: int(32, 1, 1000),
  /** added: ready jobs held at once per writer process; 0 = 2 × KINGDEE_BATCH_SIZE × KINGDEE_MAX_CONCURRENCY. */
  WRITER_CONCURRENCY: int(0, 0, 5000),
  /** added: how long the writer waits to fill a BatchSave before sending a partial one. */
  WRITER_LINGER_MS: int(50, 0, 10_000),
  /** added: back-off (seconds, comma-separated) while a receipt's sales order is missing in K3Cloud. */
  ORDER_WAIT_DELAYS: z.preprocess(
    (v) => (v === '' || v === undefined ? undefined : v),
    z
      .string()
      .regex(/^\d+(,\d+)*$/, 'comma-separated whole seconds, e.g. 60,300,900')
      .default('60,300,900,1800,3600,7200,14400'),
  ),
  /** added: first retry delay of a failed raw/ready job (capped exponential back-off with jitter). */
  RETRY_BASE_DELAY_MS: int(1_000, 10, 600_000),
  /** added: longest wait between two retries. */
  RETRY_MAX_DELAY_MS: int(60_000, 10, 3_600_000),
  /** added: BullMQ job lock; a killed process's jobs are retried after it. */
  WORKER_LOCK_MS: int(30_000, 1000, 600_000),
  /** added: port of /healthz, /readyz and /metrics (per app default when unset). */
  HEALTH_PORT: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(0).max(65535).optional()),
  /** added: graceful shutdown deadline; container stop grace periods must exceed it. */
  SHUTDOWN_TIMEOUT_MS: int(30_000, 1000, 600_000),
});

/**
 * Cross-variable rules, checked on the raw environment so they are reported together with
 * per-variable errors (zod skips object refinements once a field fails).
 */
export function crossFieldIssues(raw: NodeJS.ProcessEnv): string[] {
  const set = (k: string) => typeof raw[k] === 'string' && raw[k]!.trim() !== '';
  const issues: string[] = [];
  const pair = (a: string, b: string) => {
    if (set(a) !== set(b)) issues.push(`${set(a) ? b : a} must be set together with ${set(a) ? a : b}`);
  };
  if (set('REDIS_CLUSTER_NODES') && !isHashTagged(raw.QUEUE_PREFIX?.trim() || 'rsync')) {
    issues.push(
      'QUEUE_PREFIX must be hash-tagged when REDIS_CLUSTER_NODES is set, e.g. QUEUE_PREFIX={rsync}: on a Redis ' +
        'Cluster every key of a queue must share one slot, because BullMQ and the store update several keys in one script',
    );
  }
  pair('XIAOMAN_CLIENT_ID', 'XIAOMAN_CLIENT_SECRET');
  pair('KINGDEE_APP_ID', 'KINGDEE_APP_SECRET');
  if (set('KINGDEE_BASE_URL')) {
    for (const key of ['KINGDEE_ACCT_ID', 'KINGDEE_USERNAME']) {
      if (!set(key)) issues.push(`${key} is required when KINGDEE_BASE_URL is set`);
    }
    if (!set('KINGDEE_PASSWORD') && !(set('KINGDEE_APP_ID') && set('KINGDEE_APP_SECRET'))) {
      issues.push('KINGDEE_PASSWORD is required unless KINGDEE_APP_ID and KINGDEE_APP_SECRET are set');
    }
  }
  return issues;
}

export type Env = z.infer<typeof EnvSchema>;
