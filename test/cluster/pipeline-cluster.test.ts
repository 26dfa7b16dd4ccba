import { randomUUID } from 'node:crypto';
import type { Cluster } from 'ioredis';
import { startDemoEnvironment } from '@receipt-sync/simulators';
import { syncOnce } from '@receipt-sync/pipeline';
import { assertExactlyOnce, expectedOutcome, foreignRows, snapshotK3 } from '../e2e/expectations';
import { envFor, waitFor } from '../e2e/helpers';
import {
  cleanClusterPrefix,
  clusterClient,
  clusterNodes,
  masterOf,
  reportSkip,
  reviveCluster,
  stopMasterAndAwaitFailover,
} from './cluster';

const SUITE = 'pipeline on a Redis Cluster (3 masters + 3 replicas)';
reportSkip(SUITE);

(clusterNodes ? describe : describe.skip)(SUITE, () => {
  let cluster: Cluster;
  const prefixes: string[] = [];
  const newPrefix = () => {
    const prefix = `{e2e-cluster-${randomUUID().slice(0, 8)}}`;
    prefixes.push(prefix);
    return prefix;
  };
  const clusterEnv = (prefix: string) => ({ REDIS_CLUSTER_NODES: clusterNodes!, QUEUE_PREFIX: prefix });

  beforeAll(() => {
    cluster = clusterClient();
  });
  afterAll(async () => {
    for (const p of prefixes) await cleanClusterPrefix(cluster, p);
    cluster.disconnect();
  });

  it('writes every receipt exactly once and keeps every key of the deployment in one slot', async () => {
    const demo = await startDemoEnvironment({ seed: 41, receipts: 300, orders: 60 });
    const prefix = newPrefix();
    try {
      const before = foreignRows(demo, snapshotK3(demo));
      const summary = await syncOnce(envFor(demo, prefix, clusterEnv(prefix)));
      const snap = snapshotK3(demo);
      const expected = expectedOutcome(demo);
      assertExactlyOnce(demo, snap, expected);
      expect(foreignRows(demo, snap)).toEqual(before);
      expect(summary.fetched).toBe(300);
      expect(summary.written).toBe(expected.written.size);
      expect(summary.written + summary.unchanged + summary.quarantined + summary.deadLettered).toBe(300);

      // Queues, state, outcome tracker, locks and both limiters all live under the tag.
      const keys = await scanAll(cluster, prefix);
      expect(keys.some((k) => k.startsWith(`${prefix}:raw:`))).toBe(true);
      expect(keys.some((k) => k.startsWith(`${prefix}:state:`))).toBe(true);
      expect(keys.some((k) => k.startsWith(`${prefix}:outcome:`))).toBe(true);
      const slots = new Set(await Promise.all(keys.slice(0, 200).map((k) => cluster.cluster('KEYSLOT', k))));
      expect(slots.size).toBe(1);

      // A second cycle with nothing new changes nothing in K3Cloud.
      const again = await syncOnce(envFor(demo, prefix, clusterEnv(prefix)));
      expect(again.written).toBe(0);
      assertExactlyOnce(demo, snapshotK3(demo), expected);
    } finally {
      await demo.close();
    }
  }, 240_000);

  it('survives its master stopping mid-cycle: the replica takes over, every receipt exactly once', async () => {
    const demo = await startDemoEnvironment({
      seed: 43,
      receipts: 240,
      orders: 48,
      k3Faults: { latencyMs: 30, perRowLatencyMs: 3 },
    });
    const prefix = newPrefix();
    try {
      const before = foreignRows(demo, snapshotK3(demo));
      const master = await masterOf(cluster, prefix);
      let failure: unknown;
      const cycle = syncOnce(envFor(demo, prefix, { ...clusterEnv(prefix), KINGDEE_BATCH_SIZE: '10' }));
      cycle.catch((error: unknown) => (failure = error));
      await waitFor(() => failure !== undefined || demo.k3.stats.savesApplied >= 3, 60_000, 'the first saves');
      if (failure) throw failure;
      const savesBefore = demo.k3.stats.savesApplied;
      const promoted = await stopMasterAndAwaitFailover(cluster, master, prefix);
      expect(promoted).not.toBe(master);
      const savesAtPromotion = demo.k3.stats.savesApplied;
      const summary = await cycle;

      // The failover came mid-cycle: K3Cloud saw saves before the stop and after the replica took over.
      expect(savesBefore).toBeGreaterThan(0);
      expect(demo.k3.stats.savesApplied).toBeGreaterThan(savesAtPromotion);
      const snap = snapshotK3(demo);
      assertExactlyOnce(demo, snap, expectedOutcome(demo));
      expect(foreignRows(demo, snap)).toEqual(before);
      expect(summary.fetched).toBe(240);
      expect(summary.written + summary.unchanged + summary.quarantined + summary.deadLettered).toBe(240);
    } finally {
      await demo.close();
      await reviveCluster();
    }
  }, 300_000);
});

async function scanAll(cluster: Cluster, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for (const node of cluster.nodes('master')) {
    let cursor = '0';
    do {
      const [next, batch] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
  }
  return keys;
}
