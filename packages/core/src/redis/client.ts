import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { RedisTarget } from '../config';

/** A connection to one Redis server or to a Redis Cluster; every Redis user takes either. */
export type RedisClient = Redis | Cluster;

/** READONLY/LOADING after a failover, UNBLOCKED when a blocked client's node changes role. */
const RECONNECT_ON = /READONLY|LOADING|UNBLOCKED/;

/**
 * The one connection factory: BullMQ, the store, locks, the rate limiter and the outcome tracker
 * all use what it returns (or a `duplicate()` of it).
 *
 * Single server: `maxRetriesPerRequest: null` (BullMQ workers need it for blocking commands),
 * ready check, reconnect for ever with a capped back-off.
 *
 * Cluster (`target.clusterNodes`): reads and writes go to masters (`scaleReads: 'master'`: a
 * replica may lag, and queue state read back must include our own writes); while a master fails
 * over, commands are retried after a slot-map refresh every `retryDelayOnFailover` ms up to
 * `maxRedirections` times — 120 × 250 ms covers a failover within 30 s, which needs
 * cluster-node-timeout well below that (docs/operations.md "Scaling out").
 */
export function createRedisClient(
  target: RedisTarget,
  extra: RedisOptions = {},
  clusterExtra: ClusterOptions = {},
): RedisClient {
  const base: RedisOptions = {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    reconnectOnError: (err) => (RECONNECT_ON.test(err.message) ? 2 : false),
    ...extra,
  };
  if (!target.clusterNodes) {
    return new Redis(target.url, { retryStrategy: (times) => Math.min(200 * times, 5_000), ...base });
  }
  const credentials = credentialsOf(target.url);
  return new Cluster(target.clusterNodes, {
    scaleReads: 'master',
    enableReadyCheck: true,
    maxRedirections: 120,
    retryDelayOnFailover: 250,
    retryDelayOnClusterDown: 250,
    retryDelayOnTryAgain: 250,
    clusterRetryStrategy: (times) => Math.min(200 * times, 5_000),
    redisOptions: { ...credentials, ...base },
    ...clusterExtra,
  });
}

/** True for a Redis Cluster connection. */
export function isCluster(client: RedisClient): client is Cluster {
  return (client as Cluster).isCluster === true;
}

/** Where Redis is, for messages: the URL without user and password, or `cluster host:port,…`. */
export function redisLocation(target: RedisTarget): string {
  if (target.clusterNodes) return `cluster ${target.clusterNodes.map((n) => `${n.host}:${n.port}`).join(',')}`;
  try {
    const u = new URL(target.url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return '(unparseable REDIS_URL)';
  }
}

/** `Redis at <location>`. */
export function describeRedisTarget(target: RedisTarget): string {
  return `Redis at ${redisLocation(target)}`;
}

function credentialsOf(url: string): Pick<RedisOptions, 'username' | 'password' | 'tls'> {
  try {
    const u = new URL(url);
    return {
      ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
      ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
      ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    };
  } catch {
    return {};
  }
}

/**
 * Every key matching `pattern` (SCAN, so never blocking Redis): on a cluster, the union over every
 * master. For clean-up and tools, never for hot paths.
 */
export async function scanKeys(client: RedisClient, pattern: string, maxRounds = 2_000): Promise<string[]> {
  const nodes: Redis[] = isCluster(client) ? client.nodes('master') : [client];
  const keys: string[] = [];
  for (const node of nodes) {
    let cursor = '0';
    let rounds = 0;
    do {
      const [next, batch] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      keys.push(...batch);
      rounds += 1;
    } while (cursor !== '0' && rounds < maxRounds);
  }
  return keys;
}

/** Deletes keys one command each (a multi-key DEL would cross cluster slots). Returns how many existed. */
export async function deleteKeys(client: RedisClient, keys: string[]): Promise<number> {
  let deleted = 0;
  for (let i = 0; i < keys.length; i += 500) {
    const counts = await Promise.all(keys.slice(i, i + 500).map((key) => client.unlink(key)));
    deleted += counts.reduce((a, b) => a + b, 0);
  }
  return deleted;
}
