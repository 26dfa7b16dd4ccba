import type { RedisClient } from '../redis';

/** What one attempt to start a call decided. */
export type SlotAttempt = { granted: true } | { granted: false; retryInMs: number | undefined };

export interface SlotRules {
  /** Starts are this far apart on average (0 = no pacing). */
  minTimeMs: number;
  /** Starts within any 1,000 ms at most (0 = no cap); the limit a per-second API counts. */
  perSecond: number;
  /** Calls in flight at most (0 = no cap). */
  maxConcurrent: number;
  /** A slot not released within this long is free again (a crashed holder). */
  slotExpiryMs: number;
}

/** Where slots and the next allowed start live: this process's memory or one Redis hash tag. */
export interface SlotStore {
  tryAcquire(token: string, rules: SlotRules): Promise<SlotAttempt>;
  release(token: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * KEYS[1] sorted set of running slots (member = token, score = expiry ms), KEYS[2] next allowed
 * start (ms), KEYS[3] sorted set of the starts of the last 1,020 ms. ARGV: token, minTimeMs,
 * maxConcurrent, slotExpiryMs, perSecond. Redis's own clock decides, so replicas on different hosts
 * agree. Returns {1} when granted, {0, ms} when paced, {0, -1} when full.
 *
 * Pacing keeps its schedule: a start that comes up to half an interval late (the waiter's timer and
 * this round trip) is counted from when it was due, not from when it came, so the pace stays at
 * maxPerSecond (counted from arrival it fell to about 84 of 100 per second). The log of the last
 * second's starts keeps the early ones that allows from ever making more than perSecond in 1,020 ms
 * (20 ms for the network to shift arrivals at the API, which counts them itself).
 */
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local minTime, maxConcurrent, expiry = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local perSecond = tonumber(ARGV[5])
if maxConcurrent > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
  if redis.call('ZCARD', KEYS[1]) >= maxConcurrent then return {0, -1} end
end
if minTime > 0 then
  local nextStart = tonumber(redis.call('GET', KEYS[2]) or '0')
  if nextStart > now then return {0, nextStart - now} end
  if perSecond > 0 then
    redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - 1020)
    if redis.call('ZCARD', KEYS[3]) >= perSecond then
      local oldest = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
      return {0, math.max(1, tonumber(oldest[2]) + 1021 - now)}
    end
    redis.call('ZADD', KEYS[3], now, ARGV[1])
    redis.call('PEXPIRE', KEYS[3], 2000)
  end
  local base = math.max(nextStart, now - math.floor(minTime / 2))
  redis.call('SET', KEYS[2], base + minTime, 'PX', minTime + 1000)
end
if maxConcurrent > 0 then
  redis.call('ZADD', KEYS[1], now + expiry, ARGV[1])
  redis.call('PEXPIRE', KEYS[1], expiry + 1000)
end
return {1}
`;

/**
 * Slots shared by every process using the same `id` on the same Redis (or Redis Cluster: both keys
 * carry the id, so a hash-tagged id such as `{rsync}-k3cloud` keeps them in one slot and the script
 * runs on one node).
 */
export function redisSlotStore(redis: RedisClient, id: string): SlotStore {
  const slotsKey = `${id}:limiter:slots`;
  const nextKey = `${id}:limiter:next`;
  const recentKey = `${id}:limiter:recent`;
  return {
    async tryAcquire(token, rules) {
      const reply = (await redis.eval(
        ACQUIRE,
        3,
        slotsKey,
        nextKey,
        recentKey,
        token,
        String(rules.minTimeMs),
        String(rules.maxConcurrent),
        String(rules.slotExpiryMs),
        String(rules.perSecond),
      )) as number[];
      if (reply[0] === 1) return { granted: true };
      return { granted: false, retryInMs: reply[1]! < 0 ? undefined : reply[1] };
    },
    async release(token) {
      await redis.zrem(slotsKey, token);
    },
    async close() {},
  };
}

/** The same rules for one process only (tests, tools). */
export function memorySlotStore(): SlotStore {
  const running = new Map<string, number>();
  let nextStart = 0;
  let recent: number[] = [];
  return {
    async tryAcquire(token, rules) {
      const now = Date.now();
      for (const [t, expiry] of running) if (expiry <= now) running.delete(t);
      if (rules.maxConcurrent > 0 && running.size >= rules.maxConcurrent)
        return { granted: false, retryInMs: undefined };
      if (rules.minTimeMs > 0 && nextStart > now) return { granted: false, retryInMs: nextStart - now };
      if (rules.perSecond > 0) {
        recent = recent.filter((at) => at > now - 1020);
        if (recent.length >= rules.perSecond)
          return { granted: false, retryInMs: Math.max(1, recent[0]! + 1021 - now) };
        recent.push(now);
      }
      if (rules.minTimeMs > 0) nextStart = Math.max(nextStart, now - Math.floor(rules.minTimeMs / 2)) + rules.minTimeMs;
      if (rules.maxConcurrent > 0) running.set(token, now + rules.slotExpiryMs);
      return { granted: true };
    },
    async release(token) {
      running.delete(token);
    },
    async close() {},
  };
}
