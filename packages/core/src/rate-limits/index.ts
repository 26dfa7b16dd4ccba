import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../redis';
import { memorySlotStore, redisSlotStore, type SlotRules, type SlotStore } from './slot-store';

export interface SharedLimiterOptions {
  /**
   * Limiter identity; every process using the same id and Redis shares one budget. On a Redis
   * Cluster it must be hash-tagged like QUEUE_PREFIX (`{rsync}-k3cloud`).
   */
  id: string;
  /** Requests started per second at most (spaced evenly). */
  maxPerSecond?: number;
  /** Requests in flight at most. */
  maxConcurrent?: number;
  /**
   * Redis connection to share the limits across processes. Without it the limits hold for this
   * process only (tests, tools).
   */
  redis?: RedisClient;
  /**
   * With Redis: how long a slot counts as taken at most. A crashed process's running slots are
   * freed only when they expire, so this must be just above the longest call (its timeout), or a
   * SIGKILLed replica starves the others for that long. @defaultValue 130000
   */
  slotExpiryMs?: number;
  /**
   * With Redis: how often a process waiting for a slot another process holds asks again. Slots
   * this process frees wake its own waiters at once. @defaultValue 10
   */
  pollMs?: number;
}

export interface SharedLimiter {
  schedule<T>(task: () => Promise<T>): Promise<T>;
  /**
   * Waits for a slot and hands back its release, for work whose end is not one promise (the
   * writer's batch slot is let go after its last K3Cloud call, before the batch settles in Redis).
   * The release is idempotent; until it is called the slot counts as taken (up to `slotExpiryMs`).
   */
  acquire(): Promise<() => Promise<void>>;
  /** Waiting + running tasks known to this process. */
  pending(): number;
  /**
   * For the healer after Redis came back empty. Nothing to rewrite here: the limits travel with
   * every acquisition, so an emptied Redis only forgets running slots and the last start; queued
   * calls keep polling and run. Kept so callers need not know which limiter they hold.
   */
  rebuild(): Promise<void>;
  close(): Promise<void>;
}

interface Waiter {
  token: string;
  granted: () => void;
  refused: (error: Error) => void;
}

/**
 * Pacing and concurrency caps for outbound APIs, shared by every replica through Redis
 * (docs/operations.md#configuration caps XIAOMAN_MAX_RPS and KINGDEE_MAX_CONCURRENCY "across all
 * replicas"): one Lua script on two keys under the limiter id decides each start atomically, first
 * come first served within a process. A lost process's running slots are reclaimed after
 * `slotExpiryMs`. While Redis is unreachable (a failover), calls wait and acquisition is retried;
 * none is dropped. Why not bottleneck: docs/operations.md#redis-cluster.
 */
export function createSharedLimiter(options: SharedLimiterOptions): SharedLimiter {
  const rules: SlotRules = {
    minTimeMs: options.maxPerSecond ? Math.ceil(1000 / options.maxPerSecond) : 0,
    perSecond: options.maxPerSecond ? Math.floor(options.maxPerSecond) : 0,
    maxConcurrent: options.maxConcurrent ?? 0,
    slotExpiryMs: options.slotExpiryMs ?? 130_000,
  };
  const store: SlotStore = options.redis ? redisSlotStore(options.redis, options.id) : memorySlotStore();
  const pollMs = options.redis ? (options.pollMs ?? 10) : 5;
  const queue: Waiter[] = [];
  let running = 0;
  /** Slots this process released; a release during an attempt that found no slot means "ask again now". */
  let releases = 0;
  let pumping = false;
  let wake: (() => void) | undefined;
  let closed = false;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });

  async function pump(): Promise<void> {
    if (pumping) return;
    pumping = true;
    let failures = 0;
    try {
      while (queue.length > 0 && !closed) {
        const head = queue[0]!;
        const releasesBefore = releases;
        let attempt;
        try {
          attempt = await store.tryAcquire(head.token, rules);
          failures = 0;
        } catch {
          failures += 1;
          await sleep(Math.min(100 * failures, 2_000));
          continue;
        }
        if (attempt.granted) {
          queue.shift();
          head.granted();
        } else if (attempt.retryInMs !== undefined || releases === releasesBefore) {
          await sleep(attempt.retryInMs ?? pollMs);
        }
      }
    } finally {
      pumping = false;
    }
  }

  async function acquire(): Promise<() => Promise<void>> {
    if (closed) throw new Error(`limiter ${options.id} is closed`);
    const token = randomUUID();
    running += 1;
    try {
      await new Promise<void>((granted, refused) => {
        queue.push({ token, granted, refused });
        void pump();
      });
    } catch (error) {
      running -= 1;
      throw error;
    }
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      try {
        if (rules.maxConcurrent > 0) {
          await store.release(token).catch(() => undefined);
          releases += 1;
          wake?.();
        }
      } finally {
        running -= 1;
      }
    };
  }

  return {
    async schedule<T>(task: () => Promise<T>): Promise<T> {
      const release = await acquire();
      try {
        return await task();
      } finally {
        await release();
      }
    },
    acquire,
    pending: () => running,
    rebuild: async () => undefined,
    async close() {
      closed = true;
      for (const waiter of queue.splice(0))
        waiter.refused(new Error(`limiter ${options.id} closed before the call started`));
      wake?.();
      await store.close();
    },
  };
}
