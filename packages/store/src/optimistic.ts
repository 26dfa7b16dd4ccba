import { setTimeout as sleep } from 'node:timers/promises';

/** Returned by one optimistic attempt whose compare-and-set lost to a concurrent writer. */
export const CONFLICT = Symbol('conflict');

const MAX_ATTEMPTS = 100;
/** Conflicts retried at once before contenders are spread out with a jittered pause. */
const IMMEDIATE_RETRIES = 3;
const MAX_PAUSE_MS = 50;

/**
 * Re-runs a read → decide → compare-and-set attempt until it does not conflict. Every round one
 * contender wins, but with many contenders on one key (replicas, pipelined reads) the same one can
 * keep losing; after a few immediate retries a random pause (up to 50 ms, growing) lets the others
 * finish first. The cap only guards against a bug looping forever.
 */
export async function retryOnConflict<T>(what: string, attempt: () => Promise<T | typeof CONFLICT>): Promise<T> {
  for (let i = 0; i < MAX_ATTEMPTS; i++) {
    const result = await attempt();
    if (result !== CONFLICT) return result;
    if (i >= IMMEDIATE_RETRIES) await sleep(Math.random() * Math.min(MAX_PAUSE_MS, 2 ** (i - IMMEDIATE_RETRIES)));
  }
  throw new Error(`${what}: gave up after ${MAX_ATTEMPTS} concurrent-update conflicts`);
}
