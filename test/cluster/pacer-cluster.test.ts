import { randomUUID } from 'node:crypto';
import type { Cluster } from 'ioredis';
import { createSharedPacer } from '@receipt-sync/core';
import { cleanClusterPrefix, clusterClient, clusterNodes, reportSkip } from './cluster';

const SUITE = 'shared pacer on a Redis Cluster';
reportSkip(SUITE);

(clusterNodes ? describe : describe.skip)(SUITE, () => {
  let cluster: Cluster;
  const id = `{limiter-${randomUUID().slice(0, 8)}}-okki`;
  beforeAll(() => {
    cluster = clusterClient();
  });
  afterAll(async () => {
    await cleanClusterPrefix(cluster, id);
    cluster.disconnect();
  });

  it('keeps its keys in the id tag slot', async () => {
    const pacer = createSharedPacer({ id, maxPerSecond: 50, redis: cluster });
    await pacer.schedule(async () => undefined);
    await pacer.close();
    const tagSlot = await cluster.cluster('KEYSLOT', id);
    expect(await cluster.cluster('KEYSLOT', `${id}:limiter:next`)).toBe(tagSlot);
    expect(await cluster.cluster('KEYSLOT', `${id}:limiter:recent`)).toBe(tagSlot);
    expect(await cluster.cluster('KEYSLOT', `${id}:limiter:live-waiting`)).toBe(tagSlot);
    expect(await cluster.cluster('KEYSLOT', `${id}:limiter:live-run`)).toBe(tagSlot);
  });

  it('paces starts across replicas', async () => {
    const paced = `${id}-paced`;
    const pacers = [0, 1].map(() => createSharedPacer({ id: paced, maxPerSecond: 50, redis: cluster }));
    const starts: number[] = [];
    await Promise.all(
      Array.from({ length: 26 }, (_, i) => pacers[i % 2]!.schedule(async () => starts.push(Date.now()))),
    );
    await Promise.all(pacers.map((l) => l.close()));
    starts.sort((a, b) => a - b);
    // 26 starts at 50/s span 25 gaps of 20 ms, less the half interval a late start may make up:
    // 490 ms. Each start is read after its grant, so event-loop delay under load shifts single
    // starts by some ms; 400 leaves room for that, while an unpaced pair starts all within a few ms.
    expect(starts[25]! - starts[0]!).toBeGreaterThanOrEqual(400);
  });
});
