import type { Queue } from 'bullmq';
import { createRedisConnection } from '@receipt-sync/pipeline';

const inUse = new Set<string>();

/** A QUEUE_PREFIX nobody else uses: `bench-<run>-<label>`; remembered until cleaned up. */
export function benchPrefix(runId: string, label: string): string {
  const prefix = `bench-${runId}-${label}`;
  inUse.add(prefix);
  return prefix;
}

/** Prefixes handed out and not yet cleaned (an interrupted run cleans these on its way out). */
export function prefixesInUse(): string[] {
  return [...inUse];
}

/**
 * Deletes every key one bench run left: queues, state, locks (`<prefix>:…`, `<prefix>-…`) and the
 * shared limiters (`<prefix>-okki:limiter:…`). Bounded: at most 2,000 SCAN rounds per pattern.
 */
export async function cleanupPrefix(redisUrl: string, prefix: string): Promise<number> {
  const redis = createRedisConnection(redisUrl, { maxRetriesPerRequest: 3 });
  let deleted = 0;
  try {
    for (const pattern of [`${prefix}:*`, `${prefix}-*`]) {
      let cursor = '0';
      for (let round = 0; round < 2_000; round++) {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1_000);
        if (keys.length > 0) deleted += await redis.unlink(...keys);
        cursor = next;
        if (cursor === '0') break;
      }
    }
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
  inUse.delete(prefix);
  return deleted;
}

/** Jobs not finished yet; a paused queue keeps its jobs in wait (bullmq 6 has no paused list). */
export async function unfinished(queue: Queue): Promise<number> {
  const c = await queue.getJobCounts('wait', 'active', 'delayed', 'prioritized', 'waiting-children');
  return Object.values(c).reduce((a, b) => a + b, 0);
}

/**
 * Polls until `done()` holds on two consecutive reads (a stage may add to the next queue between
 * two counts), the deadline passes (throws), or `failed()` names a reason to stop. Returns the time
 * of the first of the two reads, so the poll interval does not inflate the measured duration.
 */
export async function waitFor(
  what: string,
  done: () => Promise<boolean>,
  opts: { deadlineMs: number; pollMs?: number; failed?: () => string | undefined },
): Promise<number> {
  const until = Date.now() + opts.deadlineMs;
  let firstQuiet: number | undefined;
  while (Date.now() < until) {
    const reason = opts.failed?.();
    if (reason) throw new Error(`${what}: ${reason}`);
    const at = performance.now();
    if (await done()) {
      if (firstQuiet !== undefined) return firstQuiet;
      firstQuiet = at;
    } else {
      firstQuiet = undefined;
    }
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 100));
  }
  throw new Error(`${what}: not done within ${Math.round(opts.deadlineMs / 1000)} s`);
}
