import { createRedisClient, QUEUE_PREFIX_PATTERN, type RedisClient } from '@receipt-sync/core';
import { z } from 'zod';
import type { AuditSinkTuning } from './audit-sink';
import { DEFAULT_AUDIT_LIMIT, DEFAULT_AUDIT_TTL_DAYS } from './model/audit';
import { parseOrThrow } from './model/validate';
import { DEFAULT_WINDOW_LIMIT } from './model/window';
import type { MongoSyncStore } from './mongo/mongo-store';
import { RedisSyncStore } from './redis/redis-store';
import type { SyncStore } from './sync-store';

export interface CreateStoreOptions {
  /** MONGO_URL. Set: all state lives in MongoDB. Unset: in Redis (docs/operations.md#configuration). */
  mongoUrl?: string;
  /** Database when `mongoUrl` names none (MONGO_DB). @defaultValue 'receipt_sync' */
  mongoDb?: string;
  /** A shared connection for the Redis backend; the store never closes it. Ignored when `mongoUrl` is set. */
  redis?: RedisClient;
  /** Used when `redis` is not given; the store opens and closes this connection. @defaultValue 'redis://127.0.0.1:6379' */
  redisUrl?: string;
  /** QUEUE_PREFIX: Redis keys `${prefix}:state:…`, MongoDB collections `${prefix}_…`. */
  prefix: string;
  /** API call records kept, newest first. @defaultValue 50000 */
  auditLimit?: number;
  /** MongoDB only: audit records expire after this many days (TTL index). @defaultValue 30 */
  auditTtlDays?: number;
  /** Producer windows kept. @defaultValue 10000 */
  windowLimit?: number;
  /** Batch size, buffer bound, flush period and error hook of `audit.sink()`. */
  auditSink?: AuditSinkTuning;
}

const optionsSchema = z.object({
  mongoUrl: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// URL')
    .optional(),
  mongoDb: z
    .string()
    .min(1)
    .regex(/^[^/\\. "$]+$/, 'is not a valid database name')
    .optional(),
  redisUrl: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  // Same rule as QUEUE_PREFIX in the core config schema: no ':' so key spaces cannot overlap.
  prefix: z
    .string()
    .regex(QUEUE_PREFIX_PATTERN, 'letters, digits, _ and - only (no ":"), optionally after one {hash tag}'),
  auditLimit: z.number().int().positive().max(10_000_000).optional(),
  auditTtlDays: z.number().int().positive().max(3650).optional(),
  windowLimit: z.number().int().positive().max(1_000_000).optional(),
});

/**
 * Builds the store the environment asks for: MongoDB when `mongoUrl` is set, Redis otherwise.
 * Call `init()` once at start-up before use: on MongoDB it creates the unique indexes the
 * compare-and-set writes rely on.
 *
 * @throws InvalidInputError when an option is malformed (e.g. a prefix containing ':').
 *
 * @example
 * const store = createStore({ mongoUrl: env.MONGO_URL, mongoDb: env.MONGO_DB, redis, prefix: env.QUEUE_PREFIX });
 * await store.init();
 */
export function createStore(options: CreateStoreOptions): SyncStore {
  const o = parseOrThrow(optionsSchema, { ...options, redis: undefined, auditSink: undefined }, 'store options');
  const auditLimit = o.auditLimit ?? DEFAULT_AUDIT_LIMIT;
  const windowLimit = o.windowLimit ?? DEFAULT_WINDOW_LIMIT;
  if (o.mongoUrl !== undefined) {
    return new (loadMongoStore())({
      url: o.mongoUrl,
      fallbackDb: o.mongoDb ?? 'receipt_sync',
      prefix: o.prefix,
      auditLimit,
      auditTtlDays: o.auditTtlDays ?? DEFAULT_AUDIT_TTL_DAYS,
      windowLimit,
      auditSink: options.auditSink,
    });
  }
  const ownsConnection = options.redis === undefined;
  const redis =
    options.redis ?? createRedisClient({ url: o.redisUrl ?? 'redis://127.0.0.1:6379' }, { maxRetriesPerRequest: 20 });
  return new RedisSyncStore({
    redis,
    ownsConnection,
    prefix: o.prefix,
    auditLimit,
    windowLimit,
    auditSink: options.auditSink,
  });
}

/**
 * The MongoDB backend and its driver load only when MONGO_URL asks for them: requiring the driver
 * costs every process on the Redis backend (and every CLI command) about 0.2 s of start-up.
 */
function loadMongoStore(): typeof MongoSyncStore {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('./mongo/mongo-store') as typeof import('./mongo/mongo-store')).MongoSyncStore;
}
