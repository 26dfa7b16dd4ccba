/** Returned by one optimistic attempt whose compare-and-set lost to a concurrent writer. */
export const CONFLICT = Symbol('conflict');

const MAX_ATTEMPTS = 50;

/**
 * Re-runs a read → decide → compare-and-set attempt until it does not conflict. Each round exactly
 * one contender wins, so this ends quickly; the cap only guards against a bug looping forever.
 */
export async function retryOnConflict<T>(what: string, attempt: () => Promise<T | typeof CONFLICT>): Promise<T> {
  for (let i = 0; i < MAX_ATTEMPTS; i++) {
    const result = await attempt();
    if (result !== CONFLICT) return result;
  }
  throw new Error(`${what}: gave up after ${MAX_ATTEMPTS} concurrent-update conflicts`);
}
