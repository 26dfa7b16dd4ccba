import { randomUUID } from 'node:crypto';
import { startHealthServer, type HealthServer } from '@receipt-sync/core';
import { createDashboard } from '@receipt-sync/dashboard';
import { closeQueues, createQueues, createRedisConnection } from '@receipt-sync/pipeline';
import { createStore } from '@receipt-sync/store';
import { LocalRedis } from './local-redis';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined } as never;

/** Every request gets its own generous abort, so a hanging route fails the test instead of stalling it. */
async function answer(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(20_000) });
  return { status: res.status, body: await res.text() };
}

describe('the dashboard while Redis is frozen (SIGSTOP)', () => {
  it('answers / and /api/status with 503 and a message instead of hanging, and recovers on SIGCONT', async () => {
    const redis = new LocalRedis(await LocalRedis.freePort());
    await redis.start();
    // The supervisor's connection: commands queue forever rather than fail (maxRetriesPerRequest null).
    const connection = createRedisConnection(redis.url);
    const prefix = `frozen-${randomUUID().slice(0, 8)}`;
    const queues = createQueues(connection, prefix);
    const store = createStore({ redis: connection, prefix });
    await store.init();
    let server: HealthServer | undefined;
    try {
      const dashboard = createDashboard({ queues, store, logger: silent, auth: { localOnly: true }, deadlineMs: 1500 });
      server = await startHealthServer({
        port: 0,
        host: '127.0.0.1',
        checks: {},
        extraRoutes: (app) => app.use(dashboard),
      });
      expect((await answer(`${server.url}/api/status`)).status).toBe(200);
      expect((await answer(`${server.url}/`)).status).toBe(200);

      redis.freeze();
      const status = await answer(`${server.url}/api/status`);
      expect(status.status).toBe(503);
      // No language asked for: Chinese, like the pages; the code is the same in every language.
      expect(JSON.parse(status.body)).toMatchObject({ code: 'request.timeout', error: /Redis 或状态存储没有应答/ });
      const page = await answer(`${server.url}/`);
      expect(page.status).toBe(503);
      expect(page.body).toMatch(/Redis 或状态存储没有应答/);

      redis.thaw();
      expect((await answer(`${server.url}/api/status`)).status).toBe(200);
    } finally {
      redis.thaw();
      await server?.close();
      await closeQueues(queues);
      await store.close().catch(() => undefined);
      connection.disconnect();
      await redis.destroy();
    }
  }, 90_000);
});
