import type { RedisClient } from '@receipt-sync/core';
import type { ChainableCommander } from 'ioredis';
import { CONFLICT, retryOnConflict } from '../optimistic';

/**
 * Compare-and-set on a whole JSON value: writes ARGV[2] only if the key still holds exactly
 * ARGV[1] ('' = the key must not exist). Lua runs atomically, so of two writers that read the same
 * value only the first succeeds; the other re-reads and decides again.
 */
const CAS_SCRIPT = `
local cur = redis.call('GET', KEYS[1])
if cur == false then cur = '' end
if cur ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1
`;

export async function compareAndSet(
  redis: RedisClient,
  key: string,
  expectedRaw: string | null,
  nextRaw: string,
): Promise<boolean> {
  return (await redis.eval(CAS_SCRIPT, 1, key, expectedRaw ?? '', nextRaw)) === 1;
}

/**
 * Read → decide → compare-and-set loop over one JSON key. `decide` returns the next value, or
 * undefined to leave the key alone. Resolves to the value written, or undefined when none was.
 */
export async function updateJson<T>(
  redis: RedisClient,
  key: string,
  decode: (raw: string) => T,
  decide: (current: T | undefined) => T | undefined,
): Promise<T | undefined> {
  return retryOnConflict(`update ${key}`, async () => {
    const raw = await redis.get(key);
    const next = decide(raw === null ? undefined : decode(raw));
    if (next === undefined) return undefined;
    return (await compareAndSet(redis, key, raw, JSON.stringify(next))) ? next : CONFLICT;
  });
}

/** Parses stored JSON; a value that is not JSON fails like any other bad stored value. */
export function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

/** MGET in chunks sent as one pipeline (one round trip), results in the order of `keys`. */
export async function getManyRaw(redis: RedisClient, keys: readonly string[]): Promise<Array<string | null>> {
  if (keys.length === 0) return [];
  const chunk = 500;
  const pipeline = redis.pipeline();
  for (let i = 0; i < keys.length; i += chunk) pipeline.mget(...keys.slice(i, i + chunk));
  const results = (await pipeline.exec()) ?? [];
  const out: Array<string | null> = [];
  for (const [error, values] of results) {
    if (error) throw error;
    out.push(...(values as Array<string | null>));
  }
  return out;
}

/** Runs a MULTI or pipeline and rethrows the first per-command error (ioredis only reports them in the result). */
export async function execAll(batch: ChainableCommander): Promise<void> {
  const results = (await batch.exec()) ?? [];
  for (const [error] of results) if (error) throw error;
}
