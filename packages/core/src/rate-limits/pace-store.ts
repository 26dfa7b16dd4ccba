import type { RedisClient } from '../redis';

/** What one attempt to start a call decided: go now, or ask again in `retryInMs`. */
export type PaceAttempt = { granted: true; at: number } | { granted: false; retryInMs: number };

export interface PaceRules {
  /** Starts are this far apart on average. */
  minTimeMs: number;
  /** Starts within any 1,000 ms at most (0 = no cap): the limit a per-second API counts. */
  perSecond: number;
  /** A start up to this late keeps the schedule (the ones after it catch up); later, pacing restarts from now. */
  catchUpMs: number;
}

/**
 * Which lane asks, for the lanes across processes: a live call (`moreLive`: this process has other
 * live calls waiting behind it) or a bulk one. A bulk call waits while a live call of any process is
 * waiting, except every `floorEvery`-th start.
 */
export interface PaceLane {
  lane: 'live' | 'bulk';
  moreLive: boolean;
  floorEvery: number;
}

/** Where the next allowed start and the last second's starts live: this process's memory or Redis. */
export interface PaceStore {
  tryStart(token: string, rules: PaceRules, lane?: PaceLane): Promise<PaceAttempt>;
}

/**
 * KEYS[1] next allowed start (ms), KEYS[2] sorted set of the starts of the last 1,020 ms, KEYS[3]
 * "a live call is waiting" (set by a live call told to wait, until just after its next try; cleared
 * by the last live call of its process to start), KEYS[4] live starts since the last bulk start.
 * ARGV: token, minTimeMs, perSecond, catchUpMs, lane ('live', 'bulk' or ''), more live calls waiting
 * in the caller's process ('1'/'0'), floorEvery. A bulk call is told to wait one spacing while a live
 * call waits, unless floorEvery − 1 live starts came since the last bulk one. Redis's own clock decides, so processes on different
 * hosts agree. Returns {1, now} when granted (the grant's time on Redis's clock), {0, ms} when the caller
 * must wait.
 *
 * Pacing keeps its schedule: a start that comes up to catchUpMs late (the waiter's timer, this round
 * trip, and the event loop of a busy process) is counted from when it was due, not from when it
 * came, and the starts after it follow back to back until the schedule is met again; so the pace
 * stays at the configured rate instead of losing every delay. A start later than that (the pacer
 * was idle) begins a new schedule now, without a burst. The log of the last second's starts keeps
 * the catching up from ever making more than perSecond in 1,020 ms (20 ms for the network to shift
 * arrivals at the API, which counts them itself).
 */
const START = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local minTime, perSecond, catchUp = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local lane, moreLive, floorEvery = ARGV[5], ARGV[6] == '1', tonumber(ARGV[7])
local nextStart = tonumber(redis.call('GET', KEYS[1]) or '0')
if nextStart > now then
  if lane == 'live' then redis.call('SET', KEYS[3], '1', 'PX', nextStart - now + minTime + 20) end
  return {0, nextStart - now}
end
if lane == 'bulk' and redis.call('EXISTS', KEYS[3]) == 1 and tonumber(redis.call('GET', KEYS[4]) or '0') < floorEvery - 1 then
  return {0, minTime}
end
if perSecond > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - 1020)
  if redis.call('ZCARD', KEYS[2]) >= perSecond then
    local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
    local wait = math.max(1, tonumber(oldest[2]) + 1021 - now)
    if lane == 'live' then redis.call('SET', KEYS[3], '1', 'PX', wait + minTime + 20) end
    return {0, wait}
  end
  redis.call('ZADD', KEYS[2], now, ARGV[1])
  redis.call('PEXPIRE', KEYS[2], 2000)
end
local base = nextStart
if now - nextStart > catchUp then base = now end
redis.call('SET', KEYS[1], base + minTime, 'PX', minTime + catchUp + 1000)
if lane == 'live' then
  redis.call('INCR', KEYS[4])
  redis.call('PEXPIRE', KEYS[4], 5000)
  if moreLive then redis.call('SET', KEYS[3], '1', 'PX', minTime + 20) else redis.call('DEL', KEYS[3]) end
elseif lane == 'bulk' then
  redis.call('DEL', KEYS[4])
end
return {1, now}
`;

/**
 * Pace shared by every process using the same `id` on the same Redis (or Redis Cluster: both keys
 * carry the id, so a hash-tagged id such as `{rsync}-okki` keeps them in one slot).
 */
export function redisPaceStore(redis: RedisClient, id: string): PaceStore {
  const nextKey = `${id}:limiter:next`;
  const recentKey = `${id}:limiter:recent`;
  const liveWaitingKey = `${id}:limiter:live-waiting`;
  const liveRunKey = `${id}:limiter:live-run`;
  return {
    async tryStart(token, rules, lane) {
      const reply = (await redis.eval(
        START,
        4,
        nextKey,
        recentKey,
        liveWaitingKey,
        liveRunKey,
        token,
        String(rules.minTimeMs),
        String(rules.perSecond),
        String(rules.catchUpMs),
        lane?.lane ?? '',
        lane?.moreLive ? '1' : '0',
        String(lane?.floorEvery ?? 0),
      )) as number[];
      return reply[0] === 1 ? { granted: true, at: reply[1]! } : { granted: false, retryInMs: reply[1]! };
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
      nextStart = (now - nextStart > rules.catchUpMs ? now : nextStart) + rules.minTimeMs;
      return { granted: true, at: now };
    },
  };
}
