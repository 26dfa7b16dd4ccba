import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type IORedis from 'ioredis';
import { createLogger, createMetrics, startHealthServer, type HealthServer } from '@receipt-sync/core';
import { encryptPush, signPush } from '@receipt-sync/simulators';
import {
  closeQueues,
  createQueues,
  createRedisConnection,
  PushState,
  pushReceiverRouter,
  type PipelineQueues,
} from '@receipt-sync/pipeline';
import { waitFor } from './helpers';
import { LocalRedis } from './local-redis';

const SECRET = Buffer.alloc(32, 5).toString('base64');

function message(receiptId: number) {
  const id = `msg_${randomUUID()}`;
  const plain = JSON.stringify({
    biz: [{ biz_type: 'xiaoman.crm.cash_collection.update', biz_data: { cash_collection_id: receiptId } }],
  });
  return { id, body: JSON.stringify({ message_id: id, data: encryptPush(SECRET, plain) }) };
}

describe('push receiver while Redis is down', () => {
  let redis: LocalRedis;
  let connection: IORedis;
  let queues: PipelineQueues;
  let server: HealthServer;

  beforeAll(async () => {
    redis = new LocalRedis(await LocalRedis.freePort());
    await redis.start();
    connection = createRedisConnection(redis.url);
    connection.on('error', () => undefined);
    await connection.ping();
    queues = createQueues(connection, `e2e-push-down-${randomUUID().slice(0, 8)}`);
    const router = pushReceiverRouter({
      secret: SECRET,
      maxSkewSeconds: 300,
      queue: queues.push,
      state: new PushState(connection, 'e2e-push-down'),
      metrics: createMetrics(),
      logger: createLogger({
        name: 'receiver-down',
        level: 'silent',
        destination: new Writable({ write: (_c, _e, done) => done() }),
      }),
      redisReady: () => connection.status === 'ready',
      redisDeadlineMs: 500,
    });
    server = await startHealthServer({ port: 0, host: '127.0.0.1', checks: {}, extraRoutes: (app) => app.use(router) });
  });

  afterAll(async () => {
    redis.thaw();
    await server.close();
    await closeQueues(queues).catch(() => undefined);
    await connection.quit().catch(() => connection.disconnect());
    await redis.destroy();
  });

  /** A request that has not been answered in 15 s counts as never answered. */
  const post = async (body: string) => {
    const ts = String(Math.floor(Date.now() / 1000));
    const res = await fetch(`${server.url}/okki/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-timestamp': ts, 'x-signature': signPush(SECRET, ts, body) },
      body,
      signal: AbortSignal.timeout(15_000),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('answers 503 while Redis hangs, and takes the retry once it answers again (not as a duplicate)', async () => {
    const m = message(6101);
    redis.freeze();
    expect(await post(m.body)).toEqual({
      status: 503,
      body: { code: 503, message: 'Redis unavailable; retry later' },
    });
    redis.thaw();
    // The claim made while Redis hung lands now and is given back.
    await waitFor(
      async () => (await connection.exists(`e2e-push-down:okki-push:msg:${m.id}`)) === 0,
      10_000,
      'the late claim to be given back',
    );
    expect(await post(m.body)).toEqual({ status: 200, body: { data: { message_id: m.id } } });
    expect((await queues.push.getJobs(['waiting'])).map((j) => j.data.messageId)).toEqual([m.id]);
  }, 60_000);

  it('answers 503 at once while Redis is stopped, 200 again once it is back', async () => {
    await redis.kill();
    await waitFor(() => connection.status !== 'ready', 10_000, 'the connection to notice');
    const m = message(6102);
    expect((await post(m.body)).status).toBe(503);
    await redis.start();
    await waitFor(() => connection.status === 'ready', 20_000, 'the connection to come back');
    expect(await post(m.body)).toEqual({ status: 200, body: { data: { message_id: m.id } } });
  }, 60_000);
});
