import { Cluster, Redis } from 'ioredis';
import type { RedisTarget } from '../config';
import { createRedisClient, redisLocation, type RedisClient } from './client';

/**
 * Asks Redis once with a short deadline: services' connections retry for ever, so a command or
 * start-up must say "Redis is down" instead of hanging. Resolves when PING answers (on a cluster:
 * once the slot map is loaded and the cluster reports `cluster_state:ok`); rejects with a message
 * naming where Redis was expected (never a password).
 */
export async function probeRedisTarget(target: RedisTarget, timeoutMs = 5_000): Promise<void> {
  const client = createRedisClient(
    target,
    { lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, enableOfflineQueue: false },
    { lazyConnect: true, enableOfflineQueue: false, clusterRetryStrategy: () => null },
  );
  if (client instanceof Redis) client.options.retryStrategy = () => null;
  client.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      checkOnce(client),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new Error(`Redis is not reachable at ${redisLocation(target)} (${code})`);
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}

async function checkOnce(client: RedisClient): Promise<void> {
  await client.connect();
  await client.ping();
  if (client instanceof Cluster) {
    const info = await client.cluster('INFO');
    if (!/cluster_state:ok/.test(info)) throw new Error('cluster_state is not ok');
  }
}
