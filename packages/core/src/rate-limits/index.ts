import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../redis';
import { memoryPaceStore, redisPaceStore, type PaceRules, type PaceStore } from './pace-store';

export interface SharedPacerOptions {
  /**
   * Pacer identity; every process using the same id and Redis shares one budget. On a Redis
   * Cluster it must be hash-tagged like QUEUE_PREFIX (`{rsync}-okki`).
   */
  id: string;
  /** Requests started per second at most (spaced evenly). */
  maxPerSecond: number;
  /** Redis connection to share the pace across processes. Without it the pace holds for this process only. */
  redis?: RedisClient;
}

/**
 * Which work a call serves: `live` (a person is waiting: pushed events, the newest polling window,
 * replays, reconcile requests) or `bulk` (backfills, large windows, catch-up). docs/architecture.md#lanes.
 */
export type Lane = 'live' | 'bulk';

export interface SharedPacer {
  /**
   * Runs `task` once its start is due. Live calls take the next free start; bulk calls the rest,
   * but never less than one start in BULK_FLOOR_EVERY while both wait. Within a lane, calls start
   * in the order they were scheduled (per process).
   */
  schedule<T>(task: () => Promise<T>, lane?: Lane): Promise<T>;
  /** Calls waiting to start, both lanes. */
  pending(): number;
  /** Refuses the calls still waiting. */
  close(): Promise<void>;
}

/**
 * How late a start may come and still keep the schedule: a busy process (the transformer and writer
 * of sync:once share one event loop) often wakes its pacer 5–30 ms late, and losing each of those
 * held OKKI at about 75–85 % of XIAOMAN_MAX_RPS. At 100 req/s it allows at most 20 starts back to
 * back after a stall, never more than the rate in any second.
 */
const CATCH_UP_MS = 200;

/**
 * The bulk lane's floor: while live and bulk calls both wait, every fifth start goes to bulk (20 %
 * of XIAOMAN_MAX_RPS), so a backfill always progresses however busy the live lane is.
 */
export const BULK_FLOOR_EVERY = 5;

interface Waiter {
  token: string;
  granted: () => void;
  refused: (error: Error) => void;
}

/**
 * Request pacing for an API that counts requests per second (OKKI: XIAOMAN_MAX_RPS "across all
 * replicas"), shared by every process through one Lua script on two keys under the pacer id: first
 * come first served within a process and lane (live ahead of bulk, with a floor for bulk), starts
 * spaced evenly, never more than the rate in any second.
 * While Redis is unreachable (a failover) calls wait and the start is asked again; none is dropped.
 * Why our own script and not a rate-limiter library: docs/scaling.md#okki-pacing.
 */
export function createSharedPacer(options: SharedPacerOptions): SharedPacer {
  const minTimeMs = Math.ceil(1000 / options.maxPerSecond);
  const rules: PaceRules = {
    minTimeMs,
    perSecond: Math.floor(options.maxPerSecond),
    catchUpMs: Math.max(CATCH_UP_MS, Math.floor(minTimeMs / 2)),
  };
  const store: PaceStore = options.redis ? redisPaceStore(options.redis, options.id) : memoryPaceStore();
  const lanes: Record<Lane, Waiter[]> = { live: [], bulk: [] };
  // Live starts since the last bulk start, while bulk calls were waiting.
  let liveInARow = 0;
  const nextLane = (): Lane | undefined => {
    if (lanes.live.length === 0) return lanes.bulk.length > 0 ? 'bulk' : undefined;
    if (lanes.bulk.length > 0 && liveInARow >= BULK_FLOOR_EVERY - 1) return 'bulk';
    return 'live';
  };
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
      for (let lane = nextLane(); lane !== undefined && !closed; lane = nextLane()) {
        const head = lanes[lane][0]!;
        let attempt;
        try {
          // Across processes too: a bulk call waits while another process's live call does (floor kept).
          attempt = await store.tryStart(head.token, rules, {
            lane,
            moreLive: lanes.live.length > (lane === 'live' ? 1 : 0),
            floorEvery: BULK_FLOOR_EVERY,
          });
          failures = 0;
        } catch {
          failures += 1;
          await sleep(Math.min(100 * failures, 2_000));
          continue;
        }
        if (attempt.granted) {
          lanes[lane].shift();
          liveInARow = lane === 'bulk' || lanes.bulk.length === 0 ? 0 : liveInARow + 1;
          head.granted();
        } else {
          await sleep(attempt.retryInMs);
        }
      }
    } finally {
      pumping = false;
    }
  }

  return {
    async schedule<T>(task: () => Promise<T>, lane: Lane = 'live'): Promise<T> {
      if (closed) throw new Error(`pacer ${options.id} is closed`);
      await new Promise<void>((granted, refused) => {
        lanes[lane].push({ token: randomUUID(), granted, refused });
        void pump();
      });
      return task();
    },
    pending: () => lanes.live.length + lanes.bulk.length,
    async close() {
      closed = true;
      for (const waiter of [...lanes.live.splice(0), ...lanes.bulk.splice(0)])
        waiter.refused(new Error(`pacer ${options.id} closed before the call started`));
      wake?.();
    },
  };
}
