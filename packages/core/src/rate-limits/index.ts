import Bottleneck from 'bottleneck';
import type { Redis } from 'ioredis';

export interface SharedLimiterOptions {
  /** Limiter identity; every process using the same id and Redis shares one budget. */
  id: string;
  /** Requests started per second at most (spaced evenly). */
  maxPerSecond?: number;
  /** Requests in flight at most. */
  maxConcurrent?: number;
  /**
   * Redis connection to share the limits across processes. Without it the limits hold for this
   * process only (tests, tools).
   */
  redis?: Redis;
  /**
   * With Redis: how long a slot counts as taken at most. Bottleneck frees a crashed process's
   * running slots only when they expire, so this must be just above the longest call (its timeout),
   * or a SIGKILLed replica starves the others for that long. @defaultValue 130000
   */
  slotExpiryMs?: number;
}

export interface SharedLimiter {
  schedule<T>(task: () => Promise<T>): Promise<T>;
  /** Waiting + running tasks known to this process. */
  pending(): number;
  close(): Promise<void>;
}

/**
 * Pacing and concurrency caps for outbound APIs, shared by every replica through Redis with
 * bottleneck's clustering (docs/operations.md#configuration caps XIAOMAN_MAX_RPS and KINGDEE_MAX_CONCURRENCY
 * "across all replicas"). A lost process's running slots are reclaimed after `expiration`.
 */
export function createSharedLimiter(options: SharedLimiterOptions): SharedLimiter {
  const slotExpiryMs = options.slotExpiryMs ?? 130_000;
  const minTime = options.maxPerSecond ? Math.ceil(1000 / options.maxPerSecond) : 0;
  const base: Bottleneck.ConstructorOptions = {
    id: options.id,
    minTime,
    maxConcurrent: options.maxConcurrent ?? null,
  };
  let connection: Bottleneck.IORedisConnection | undefined;
  let limiter: Bottleneck;
  if (options.redis) {
    connection = new Bottleneck.IORedisConnection({ client: options.redis.duplicate() });
    limiter = new Bottleneck({
      ...base,
      datastore: 'ioredis',
      connection,
      clearDatastore: false,
    });
  } else {
    limiter = new Bottleneck(base);
  }
  limiter.on('error', () => undefined);
  let pendingCount = 0;
  return {
    async schedule<T>(task: () => Promise<T>): Promise<T> {
      pendingCount += 1;
      try {
        return await limiter.schedule({ expiration: options.redis ? slotExpiryMs : undefined }, task);
      } finally {
        pendingCount -= 1;
      }
    },
    pending: () => pendingCount,
    async close() {
      await limiter.disconnect(false);
      if (connection) await connection.disconnect(false).catch(() => undefined);
    },
  };
}
