import { createRedisClient, redisLocation } from '@receipt-sync/core';
import { fail, ok, warn, type CheckResult, type DoctorCheck } from '../types';

/** Redis (or the Redis Cluster of REDIS_CLUSTER_NODES) answers; one connection for the later checks, no endless reconnecting. */
export const redisCheck: DoctorCheck = {
  name: 'redis',
  needs: ['config'],
  async run(ctx) {
    const target = ctx.config!.redis;
    const where = redisLocation(target);
    const redis = createRedisClient(
      target,
      { lazyConnect: true, connectTimeout: 5_000, maxRetriesPerRequest: 1, retryStrategy: () => null },
      { lazyConnect: true, clusterRetryStrategy: () => null },
    );
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      await redis.ping();
    } catch (error) {
      redis.disconnect();
      return fail(
        'redis',
        ctx.t('terminal.doctor.found.redisDown', { where, error: (error as Error).message }),
        target.clusterNodes ? ctx.t('terminal.doctor.fixes.cluster') : ctx.t('terminal.doctor.fixes.redis'),
      );
    }
    ctx.redis = redis;
    return ok('redis', ctx.t('terminal.doctor.found.redisOk', { where }));
  },
};

/**
 * What BullMQ needs from Redis (bullmq going-to-production): `maxmemory-policy noeviction`, else
 * Redis may evict queue keys and lose jobs (FAIL); AOF off loses the jobs of the last seconds on a
 * Redis restart (warn).
 */
export const redisSettingsCheck: DoctorCheck = {
  name: 'redis-settings',
  needs: ['redis'],
  async run(ctx) {
    const redis = ctx.redis!;
    const read = async (key: string) => {
      try {
        const reply = (await redis.config('GET', key)) as string[];
        return reply[1];
      } catch {
        return undefined;
      }
    };
    const results: CheckResult[] = [];
    const policy = await read('maxmemory-policy');
    if (policy === undefined)
      results.push(
        warn(
          'redis-eviction',
          ctx.t('terminal.doctor.found.evictionUnknown'),
          ctx.t('terminal.doctor.fixes.evictionUnknown'),
        ),
      );
    else if (policy !== 'noeviction')
      results.push(
        fail(
          'redis-eviction',
          ctx.t('terminal.doctor.found.eviction', { policy }),
          ctx.t('terminal.doctor.fixes.eviction'),
        ),
      );
    else results.push(ok('redis-eviction', ctx.t('terminal.doctor.found.evictionOk')));
    const aof = await read('appendonly');
    if (aof === 'yes') results.push(ok('redis-persistence', ctx.t('terminal.doctor.found.aofOk')));
    else
      results.push(
        warn(
          'redis-persistence',
          ctx.t(aof === undefined ? 'terminal.doctor.found.aofUnknown' : 'terminal.doctor.found.aofOff'),
          ctx.t('terminal.doctor.fixes.aof'),
        ),
      );
    return results;
  },
};
