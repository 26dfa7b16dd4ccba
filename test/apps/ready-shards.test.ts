import { randomUUID } from 'node:crypto';
import { startDemoEnvironment } from '@receipt-sync/simulators';
import { assertExactlyOnce, expectedOutcome, snapshotK3 } from '../e2e/expectations';
import { getJson, startApp } from './run-entry';
import { cleanPrefix, envFor, waitFor } from '../e2e/helpers';
import { LocalRedis } from '../e2e/local-redis';

/** The shards a writer said it works, last first (its "writer works ready shards" log lines). */
function shardsOf(output: string): number[][] {
  return output
    .split('\n')
    .filter((line) => line.includes('writer works ready shards'))
    .map((line) => (JSON.parse(line) as { owned: number[] }).owned)
    .reverse();
}

describe('READY_SHARDS=4 with two writer processes (order-affine writers)', () => {
  it('split the shards, sync every receipt exactly once, and one writer takes every shard when the other stops', async () => {
    const demo = await startDemoEnvironment({ seed: 73, receipts: 120, orders: 30 });
    const prefix = `e2e-shards-${randomUUID().slice(0, 8)}`;
    const base = envFor(demo, prefix, { SYNC_INTERVAL_SECONDS: '2', LOG_LEVEL: 'info', READY_SHARDS: '4' });
    const start = async (app: string, name = app) => {
      const port = await LocalRedis.freePort();
      return { name, port, ...startApp(app, { ...base, HEALTH_PORT: String(port) }) };
    };
    const transformer = await start('transformer');
    const writers = [await start('writer', 'writer-a'), await start('writer', 'writer-b')];
    const apps = [transformer, ...writers];
    try {
      await waitFor(
        () => writers.every((w) => shardsOf(w.output())[0]?.length === 2),
        30_000,
        'the two writers to split the four shards',
      );
      const [a, b] = writers.map((w) => shardsOf(w.output())[0]!);
      expect([...a!, ...b!].sort()).toEqual([0, 1, 2, 3]);

      apps.push(await start('producer'));
      const expected = expectedOutcome(demo);
      await waitFor(
        () => [...expected.written.keys()].every((no) => snapshotK3(demo).rowsByNo.has(no)),
        90_000,
        'every receipt to reach K3Cloud',
      );
      assertExactlyOnce(demo, snapshotK3(demo), expected);
      for (const w of writers) {
        const ready = await getJson(`http://127.0.0.1:${w.port}/readyz`);
        expect(ready.body).toMatchObject({ status: 'ready', checks: { 'ready-shards': 'ok' } });
      }

      writers[1]!.child.kill('SIGTERM');
      expect(await writers[1]!.exited).toBe(0);
      await waitFor(
        () => shardsOf(writers[0]!.output())[0]?.length === 4,
        30_000,
        'the remaining writer to take every shard',
      );
      for (const app of apps) if (app.child.exitCode === null) app.child.kill('SIGTERM');
      expect(await Promise.all(apps.map((app) => app.exited))).toEqual([0, 0, 0, 0]);
    } finally {
      for (const app of apps) if (app.child.exitCode === null) app.child.kill('SIGKILL');
      await demo.close();
      await cleanPrefix(prefix);
    }
  }, 180_000);
});
