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

/** `host:port` of the master serving `key`'s slot now. */
export async function masterOf(cluster: Cluster, key: string): Promise<string> {
  const slot = Number(await cluster.cluster('KEYSLOT', key));
  const ranges = await cluster.cluster('SLOTS');
  const master = ranges.find(([from, to]) => slot >= from && slot <= to)?.[2];
  if (!master) throw new Error(`no node serves slot ${slot}`);
  return `${master[0]}:${master[1]}`;
}

/**
 * Stops the master at `address` as a crash would look to clients (SHUTDOWN NOSAVE: connections
 * drop; no data is written anywhere) and waits until another node serves its slots.
 */
export async function stopMasterAndAwaitFailover(cluster: Cluster, address: string, key: string): Promise<string> {
  const [host, port] = address.split(':') as [string, string];
  const node = new Redis({ host, port: Number(port), maxRetriesPerRequest: 0, retryStrategy: () => null });
  node.on('error', () => undefined);
  await node.call('SHUTDOWN', 'NOSAVE').catch(() => undefined); // the connection closes before any reply
  node.disconnect();
  let promoted = address;
  await waitFor(
    async () => {
      promoted = await masterOf(cluster, key).catch(() => address);
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
