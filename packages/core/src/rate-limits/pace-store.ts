import type { RedisClient } from '../redis';

/** What one attempt to start a call decided: go now, or ask again in `retryInMs`. */
export type PaceAttempt = { granted: true } | { granted: false; retryInMs: number };

export interface PaceRules {
  /** Starts are this far apart on average. */
  minTimeMs: number;
  /** Starts within any 1,000 ms at most (0 = no cap): the limit a per-second API counts. */
  perSecond: number;
}

/** Where the next allowed start and the last second's starts live: this process's memory or Redis. */
export interface PaceStore {
  tryStart(token: string, rules: PaceRules): Promise<PaceAttempt>;
}

/**
 * KEYS[1] next allowed start (ms), KEYS[2] sorted set of the starts of the last 1,020 ms. ARGV:
 * token, minTimeMs, perSecond. Redis's own clock decides, so processes on different hosts agree.
 * Returns {1} when granted, {0, ms} when the caller must wait.
 *
 * Pacing keeps its schedule: a start that comes up to half an interval late (the waiter's timer and
 * this round trip) is counted from when it was due, not from when it came, so the pace stays at the
 * configured rate instead of losing the round trip on every interval. The log of the last second's
 * starts keeps the early ones that allows from ever making more than perSecond in 1,020 ms (20 ms
 * for the network to shift arrivals at the API, which counts them itself).
 */
const START = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local minTime, perSecond = tonumber(ARGV[2]), tonumber(ARGV[3])
local nextStart = tonumber(redis.call('GET', KEYS[1]) or '0')
if nextStart > now then return {0, nextStart - now} end
if perSecond > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - 1020)
  if redis.call('ZCARD', KEYS[2]) >= perSecond then
    local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
    return {0, math.max(1, tonumber(oldest[2]) + 1021 - now)}
  end
  redis.call('ZADD', KEYS[2], now, ARGV[1])
  redis.call('PEXPIRE', KEYS[2], 2000)
end
local base = math.max(nextStart, now - math.floor(minTime / 2))
redis.call('SET', KEYS[1], base + minTime, 'PX', minTime + 1000)
return {1}
`;

/**
 * Pace shared by every process using the same `id` on the same Redis (or Redis Cluster: both keys
 * carry the id, so a hash-tagged id such as `{rsync}-okki` keeps them in one slot).
 */
export function redisPaceStore(redis: RedisClient, id: string): PaceStore {
  const nextKey = `${id}:limiter:next`;
  const recentKey = `${id}:limiter:recent`;
  return {
    async tryStart(token, rules) {
      const reply = (await redis.eval(
        START,
        2,
        nextKey,
        recentKey,
        token,
        String(rules.minTimeMs),
        String(rules.perSecond),
      )) as number[];
      return reply[0] === 1 ? { granted: true } : { granted: false, retryInMs: reply[1]! };
    },
  };
}

/** The same rules for one process only (tests, tools). */
export function memoryPaceStore(): PaceStore {
  let nextStart = 0;
  let recent: number[] = [];
  return {
    async tryStart(_token, rules) {
      const now = Date.now();
      if (nextStart > now) return { granted: false, retryInMs: nextStart - now };
      if (rules.perSecond > 0) {
        recent = recent.filter((at) => at > now - 1020);
        if (recent.length >= rules.perSecond)
          return { granted: false, retryInMs: Math.max(1, recent[0]! + 1021 - now) };
        recent.push(now);
      }
      nextStart = Math.max(nextStart, now - Math.floor(rules.minTimeMs / 2)) + rules.minTimeMs;
      return { granted: true };
    },
  };
}
