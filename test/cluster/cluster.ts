import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis, type Cluster } from 'ioredis';
import { createRedisClient, deleteKeys, loadConfig, scanKeys } from '@receipt-sync/core';
import { waitFor } from '../e2e/helpers';

/**
 * REDIS_CLUSTER_NODES as .ci/run sets it (scripts/redis-cluster.sh start); unset = these tests skip.
 * test/setup-env.js moves it to TEST_REDIS_CLUSTER_NODES so no other test runs in cluster mode.
 */
export const clusterNodes = process.env.TEST_REDIS_CLUSTER_NODES?.trim() || undefined;

/** Why the cluster tests did not run, printed so a skipped run is never mistaken for a passed one. */
export function reportSkip(suite: string): void {
  if (clusterNodes) return;
  process.stdout.write(
    `${suite}: NOT run (skipped: REDIS_CLUSTER_NODES is unset; scripts/redis-cluster.sh start prints a value)\n`,
  );
}

/** A connection to the test cluster through the project's own factory. */
export function clusterClient(): Cluster {
  const config = loadConfig({ REDIS_CLUSTER_NODES: clusterNodes, QUEUE_PREFIX: '{probe}' });
  return createRedisClient(config.redis) as Cluster;
}

/** `{tag}` → `{tag*`: matches the prefix's own keys and its queues' (`{tag:raw}:…`), on every master. */
export function deploymentPattern(prefix: string): string {
  return `${prefix.replace(/\}.*$/, '')}*`;
}

/** Removes every key of a deployment with a hash-tagged prefix. */
export async function cleanClusterPrefix(cluster: Cluster, prefix: string): Promise<void> {
  await deleteKeys(cluster, await scanKeys(cluster, deploymentPattern(prefix)));
}

/**
 * One answer from the node at `address` over its own short-lived connection with a 2 s deadline.
 * Not through the cluster client: a keyless command (CLUSTER …) goes to any node, and one sent to
 * the master just shut down can wait for ever, which hung the failover test (its deadline never came).
 */
async function askNode(address: string, ...args: string[]): Promise<unknown> {
  const [host, port] = address.split(':') as [string, string];
  const node = new Redis({
    host,
    port: Number(port),
    lazyConnect: true,
    connectTimeout: 2_000,
    commandTimeout: 2_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  node.on('error', () => undefined);
  try {
    await node.connect();
    return await node.call(args[0]!, ...args.slice(1));
  } finally {
    node.disconnect();
  }
}

/** `host:port` of the master serving `key`'s slot now, as the first live node other than `dead` tells it. */
export async function masterOf(key: string, dead?: string): Promise<string> {
  for (const address of clusterNodes!.split(',').filter((a) => a !== dead)) {
    try {
      const slot = Number(await askNode(address, 'CLUSTER', 'KEYSLOT', key));
      const ranges = (await askNode(address, 'CLUSTER', 'SLOTS')) as Array<[number, number, [string, number]]>;
      const master = ranges.find(([from, to]) => slot >= from && slot <= to)?.[2];
      if (master) return `${master[0]}:${master[1]}`;
    } catch {
      // that node is down or slow: ask the next one
    }
  }
  throw new Error(`no live node names a master for ${key}`);
}

/**
 * Stops the master at `address` as a crash would look to clients (SHUTDOWN NOSAVE: connections
 * drop; no data is written anywhere) and waits until another node serves its slots.
 */
export async function stopMasterAndAwaitFailover(address: string, key: string): Promise<string> {
  const [host, port] = address.split(':') as [string, string];
  const node = new Redis({ host, port: Number(port), maxRetriesPerRequest: 0, retryStrategy: () => null });
  node.on('error', () => undefined);
  await node.call('SHUTDOWN', 'NOSAVE').catch(() => undefined); // the connection closes before any reply
  node.disconnect();
  let promoted = address;
  await waitFor(
    async () => {
      promoted = await masterOf(key, address).catch(() => address);
      return promoted !== address;
    },
    60_000,
    `a replica to take over the slots of ${address}`,
  );
  return promoted;
}

const script = path.resolve(__dirname, '../../scripts/redis-cluster.sh');

/** Restarts stopped nodes (they rejoin as replicas) so the next test finds 3 masters + 3 replicas. */
export async function reviveCluster(): Promise<void> {
  await promisify(execFile)('bash', [script, 'revive'], { timeout: 60_000 });
}
