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
  /** Writes the limiter's Redis state again (after Redis lost it); queued calls move to the new state. */
  rebuild(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Pacing and concurrency caps for outbound APIs, shared by every replica through Redis with
 * bottleneck's clustering (docs/operations.md#configuration caps XIAOMAN_MAX_RPS and KINGDEE_MAX_CONCURRENCY
 * "across all replicas"). A lost process's running slots are reclaimed after `expiration`. When
 * Redis comes back empty the limiter writes its settings again (see rebuild()).
 */
export function createSharedLimiter(options: SharedLimiterOptions): SharedLimiter {
  const slotExpiryMs = options.slotExpiryMs ?? 130_000;
  const minTime = options.maxPerSecond ? Math.ceil(1000 / options.maxPerSecond) : 0;
  const base: Bottleneck.ConstructorOptions = {
    id: options.id,
    minTime,
    maxConcurrent: options.maxConcurrent ?? null,
  };
  let current: Instance;
  let rebuilding: Promise<void> | undefined;
  const build = (): Instance => {
    if (!options.redis) return { limiter: quiet(new Bottleneck(base)), builtAt: Date.now() };
    const connection = new Bottleneck.IORedisConnection({ client: options.redis.duplicate() });
    connection.on('error', () => undefined);
    const limiter = new Bottleneck({ ...base, datastore: 'ioredis', connection, clearDatastore: false });
    // Closed before its init finished (a rebuild, a shutdown), its ready() rejects with nobody waiting.
    limiter.ready().catch(() => undefined);
    const instance: Instance = { limiter: quiet(limiter), connection, builtAt: Date.now() };
    // A slot freed after Redis lost the state fails here: rebuild even if no new call comes.
    limiter.on('error', (error: unknown) => {
      if (lostDatastore(error)) void rebuild(instance);
    });
    return instance;
  };
  /**
   * A new instance runs bottleneck's init script, which writes the settings again (clearDatastore
   * false keeps other processes' state). Calls queued in the old one would wait forever for a
   * capacity message that never comes; stopping it rejects them, and schedule() runs them again.
   */
  const rebuild = (stale: Instance, ifOlderThanMs = 0): Promise<void> => {
    if (current !== stale || Date.now() - stale.builtAt < ifOlderThanMs) return rebuilding ?? Promise.resolve();
    current = build();
    rebuilding = (async () => {
      await stale.limiter.stop({ dropWaitingJobs: true }).catch(() => undefined);
      await close(stale);
    })().finally(() => {
      rebuilding = undefined;
    });
    return rebuilding;
  };
  current = build();
  let pendingCount = 0;
  const attempt = async <T>(task: () => Promise<T>, tries: number): Promise<T> => {
    const used = current;
    let started = false;
    try {
      return await used.limiter.schedule({ expiration: options.redis ? slotExpiryMs : undefined }, () => {
        started = true;
        return task();
      });
    } catch (error) {
      // Only when the task never ran: a retry must not repeat a call that may have happened.
      if (started || tries <= 1) throw error;
      if (lostDatastore(error)) await rebuild(used);
      else if (current === used) throw error;
      return attempt(task, tries - 1);
    }
  };
  return {
    async schedule<T>(task: () => Promise<T>): Promise<T> {
      pendingCount += 1;
      try {
        return await attempt(task, 3);
      } finally {
        pendingCount -= 1;
      }
    },
    pending: () => pendingCount,
    // From the healer: an instance built moments ago (after a call found the state gone) is fresh.
    rebuild: () => rebuild(current, 2_000),
    async close() {
      await close(current);
    },
  };
}

interface Instance {
  limiter: Bottleneck;
  connection?: Bottleneck.IORedisConnection;
  builtAt: number;
}

function quiet(limiter: Bottleneck): Bottleneck {
  limiter.on('error', () => undefined);
  return limiter;
}

async function close(instance: Instance): Promise<void> {
  // With a connection of its own, disconnect() may answer undefined instead of a promise.
  await Promise.resolve()
    .then(() => instance.limiter.disconnect(false))
    .catch(() => undefined);
  const connection = instance.connection;
  if (connection)
    await Promise.resolve()
      .then(() => connection.disconnect(false))
      .catch(() => undefined);
}

/**
 * Redis lost the limiter's state (restarted empty, flushed). Bottleneck recovers from this itself
 * only when the error text is exactly `SETTINGS_KEY_NOT_FOUND`, but Redis 7 answers
 * `ERR SETTINGS_KEY_NOT_FOUND`, so every call would fail until a restart.
 */
export function lostDatastore(error: unknown): boolean {
  return error instanceof Error && /SETTINGS_KEY_NOT_FOUND|UNKNOWN_CLIENT/.test(error.message);
}
