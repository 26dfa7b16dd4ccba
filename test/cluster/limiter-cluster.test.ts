import { randomUUID } from 'node:crypto';
import type { Cluster } from 'ioredis';
import { createSharedLimiter } from '@receipt-sync/core';
import { cleanClusterPrefix, clusterClient, clusterNodes, reportSkip } from './cluster';

const SUITE = 'shared limiter on a Redis Cluster';
reportSkip(SUITE);

(clusterNodes ? describe : describe.skip)(SUITE, () => {
  let cluster: Cluster;
  const id = `{limiter-${randomUUID().slice(0, 8)}}-k3cloud`;
  beforeAll(() => {
    cluster = clusterClient();
  });
  afterAll(async () => {
    await cleanClusterPrefix(cluster, id);
    cluster.disconnect();
  });

  it('caps concurrency across three replicas sharing the cluster, its keys in the id tag slot', async () => {
    const limiters = [0, 1, 2].map(() => createSharedLimiter({ id, maxConcurrent: 2, redis: cluster }));
    let inFlight = 0;
    let peak = 0;
    const task = async () => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 15));
      inFlight -= 1;
    };
    await Promise.all(Array.from({ length: 18 }, (_, i) => limiters[i % 3]!.schedule(task)));
    expect(peak).toBe(2);
    await Promise.all(limiters.map((l) => l.close()));
    const tagSlot = await cluster.cluster('KEYSLOT', id);
    expect(await cluster.cluster('KEYSLOT', `${id}:limiter:slots`)).toBe(tagSlot);
    expect(await cluster.cluster('KEYSLOT', `${id}:limiter:next`)).toBe(tagSlot);
  });

  it('paces starts across replicas', async () => {
    const paced = `${id}-paced`;
    const limiters = [0, 1].map(() => createSharedLimiter({ id: paced, maxPerSecond: 50, redis: cluster }));
    const starts: number[] = [];
    await Promise.all(
      Array.from({ length: 26 }, (_, i) => limiters[i % 2]!.schedule(async () => starts.push(Date.now()))),
    );
    await Promise.all(limiters.map((l) => l.close()));
    starts.sort((a, b) => a - b);
    // 26 starts at 50/s span 25 gaps of 20 ms, less the half interval a late start may make up:
    // 490 ms. Each start is read after its grant, so event-loop delay under load shifts single
    // starts by some ms; 400 leaves room for that, while an unpaced pair starts all within a few ms.
    expect(starts[25]! - starts[0]!).toBeGreaterThanOrEqual(400);
  });
});
