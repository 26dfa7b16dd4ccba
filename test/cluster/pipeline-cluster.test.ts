import { randomUUID } from 'node:crypto';
import type { Cluster } from 'ioredis';
import { startDemoEnvironment } from '@receipt-sync/simulators';
import { readWriterLease, syncOnce, WriterLease } from '@receipt-sync/pipeline';
import { assertExactlyOnce, expectedOutcome, foreignRows, snapshotK3 } from '../e2e/expectations';
import { envFor, waitFor } from '../e2e/helpers';
import { createLogger, scanKeys } from '@receipt-sync/core';
import {
  cleanClusterPrefix,
  clusterClient,
  deploymentPattern,
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

      // State, outcome tracker, locks and limiters live under the deployment's tag; each queue under its own.
      const keys = await scanKeys(cluster, deploymentPattern(prefix));
      const slotOf = async (group: string[]) =>
        new Set(await Promise.all(group.map((k) => cluster.cluster('KEYSLOT', k))));
      const underDeployment = keys.filter((k) => k.startsWith(`${prefix}:`) || k.startsWith(`${prefix}-`));
      expect(underDeployment.some((k) => k.startsWith(`${prefix}:state:`))).toBe(true);
      expect(underDeployment.some((k) => k.startsWith(`${prefix}:outcome:`))).toBe(true);
      const tag = prefix.slice(1, -1);
      const raw = keys.filter((k) => k.startsWith(`{${tag}:raw}:raw:`));
      const ready = keys.filter((k) => k.startsWith(`{${tag}:ready}:ready:`));
      expect(raw.length).toBeGreaterThan(0);
      expect(ready.length).toBeGreaterThan(0);
      expect(raw.length + ready.length + underDeployment.length).toBeLessThanOrEqual(keys.length);
      const slots = await Promise.all([underDeployment, raw, ready].map((g) => slotOf(g.slice(0, 200))));
      for (const s of slots) expect(s.size).toBe(1); // every multi-key script stays within one slot
      expect(new Set(slots.map((s) => [...s][0])).size).toBe(3); // ...and the deployment spreads over three

      // A second cycle with nothing new changes nothing in K3Cloud.
      const again = await syncOnce(envFor(demo, prefix, clusterEnv(prefix)));
      expect(again.written).toBe(0);
      assertExactlyOnce(demo, snapshotK3(demo), expected);
    } finally {
      await demo.close();
    }
  }, 240_000);

  it('hands the writer lease over on the cluster: a standby sync:once writes every receipt once the holder stops', async () => {
    const demo = await startDemoEnvironment({ seed: 45, receipts: 120, orders: 30 });
    const prefix = newPrefix();
    // Another writer holds the lease (and writes nothing) while sync:once starts as a standby.
    const holder = new WriterLease({
      redis: cluster,
      prefix,
      ttlMs: 10_000,
      process: 'other-writer',
      logger: createLogger({ name: 'test', level: 'silent' }),
      onChange: async () => undefined,
    });
    try {
      await holder.start();
      const cycle = syncOnce(envFor(demo, prefix, clusterEnv(prefix)));
      await waitFor(async () => (await readWriterLease(cluster, prefix)).standbys === 1, 30_000, 'sync:once to wait');
      expect(snapshotK3(demo).rowsByNo.size).toBe(foreignRows(demo, snapshotK3(demo)).size); // nothing written yet
      await holder.stop();
      const summary = await cycle;
      const expected = expectedOutcome(demo);
      assertExactlyOnce(demo, snapshotK3(demo), expected);
      expect(summary.written).toBe(expected.written.size);
      const tagSlot = await cluster.cluster('KEYSLOT', prefix);
      for (const key of ['lease', 'standbys', 'epoch', 'last-held'])
        expect(await cluster.cluster('KEYSLOT', `${prefix}:writer:${key}`)).toBe(tagSlot);
    } finally {
      await holder.stop();
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
    // A prefix whose state (store, locks, limiters, tracker) and ready queue live on the same master, so
    // stopping that one master fails over all of them at once.
    let prefix = newPrefix();
    const readyKeyOf = (p: string) => `{${p.slice(1, -1)}:ready}`;
    for (let i = 0; i < 50 && (await masterOf(prefix)) !== (await masterOf(readyKeyOf(prefix))); i++)
      prefix = newPrefix();
    const readyKey = readyKeyOf(prefix);
    const master = await masterOf(readyKey);
    expect(await masterOf(prefix)).toBe(master);
    try {
      const before = foreignRows(demo, snapshotK3(demo));
      let failure: unknown;
      // A worker whose close waits on the node that died is disconnected after SHUTDOWN_TIMEOUT_MS.
      const env = { ...clusterEnv(prefix), KINGDEE_BATCH_SIZE: '10', SHUTDOWN_TIMEOUT_MS: '5000' };
      const cycle = syncOnce(envFor(demo, prefix, env));
      cycle.catch((error: unknown) => (failure = error));
      await waitFor(() => failure !== undefined || demo.k3.stats.savesApplied >= 3, 60_000, 'the first saves');
      if (failure) throw failure;
      const savesBefore = demo.k3.stats.savesApplied;
      const promoted = await stopMasterAndAwaitFailover(master, readyKey);
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
