import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type IORedis from 'ioredis';
import {
  createLogger,
  createMetrics,
  deleteKeys,
  scanKeys,
  startHealthServer,
  type HealthServer,
  type SyncMetrics,
} from '@receipt-sync/core';
import { encryptPush, signPush } from '@receipt-sync/simulators';
import {
  closeQueues,
  createQueues,
  createRedisConnection,
  PushState,
  pushReceiverRouter,
  type PipelineQueues,
} from '@receipt-sync/pipeline';

const SECRET = Buffer.alloc(32, 3).toString('base64');
const OTHER = Buffer.alloc(32, 9).toString('base64');

function message(receiptId: number, event = 'update', id = `msg_${randomUUID()}`, secret = SECRET) {
  const plain = JSON.stringify({
    biz: [{ biz_type: `xiaoman.crm.cash_collection.${event}`, biz_data: { cash_collection_id: receiptId } }],
  });
  return { id, body: JSON.stringify({ message_id: id, data: encryptPush(secret, plain) }) };
}

describe('OKKI push receiver (POST /okki/webhook)', () => {
  let redis: IORedis;
  let queues: PipelineQueues;
  let server: HealthServer;
  let metrics: SyncMetrics;
  let prefix: string;
  let logs = '';
  const clock = { now: new Date() };

  beforeAll(async () => {
    prefix = `test-push-${randomUUID().slice(0, 8)}`;
    redis = createRedisConnection('redis://127.0.0.1:6379');
    queues = createQueues(redis, prefix);
    metrics = createMetrics();
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        logs += chunk.toString();
        done();
      },
    });
    const router = pushReceiverRouter({
      secret: SECRET,
      maxSkewSeconds: 300,
      queue: queues.push,
      state: new PushState(redis, prefix),
      metrics,
      logger: createLogger({ name: 'receiver-test', level: 'info', destination: sink }),
      now: () => clock.now,
    });
    server = await startHealthServer({ port: 0, host: '127.0.0.1', checks: {}, extraRoutes: (app) => app.use(router) });
  });

  afterAll(async () => {
    await server.close();
    await queues.push.obliterate({ force: true });
    await closeQueues(queues);
    await deleteKeys(redis, await scanKeys(redis, `${prefix}:*`));
    await redis.quit();
  });

  beforeEach(async () => {
    clock.now = new Date();
    await queues.push.obliterate({ force: true });
  });

  const post = async (
    body: string,
    opts: { secret?: string; timestamp?: number; signed?: string; headers?: Record<string, string> } = {},
  ) => {
    const ts = String(opts.timestamp ?? Math.floor(clock.now.getTime() / 1000));
    const signature = signPush(opts.secret ?? SECRET, ts, opts.signed ?? body);
    const res = await fetch(`${server.url}/okki/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-timestamp': ts, 'x-signature': signature, ...opts.headers },
      body,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const pushJobs = async () => (await queues.push.getJobs(['waiting', 'delayed', 'prioritized'])).length;
  const rejects = async (reason: string) =>
    (await metrics.webhookMessages.get()).values.find((v) => v.labels.result === reason)?.value ?? 0;

  it('acknowledges {"data":{"message_id"}} only after the fetch job is in Redis', async () => {
    const m = message(5001);
    const res = await post(m.body);
    expect(res).toEqual({ status: 200, body: { data: { message_id: m.id } } });
    const jobs = await queues.push.getJobs(['waiting']);
    expect(jobs.map((j) => j.data)).toEqual([
      expect.objectContaining({ receiptId: 5001, event: 'update', messageId: m.id }),
    ]);
  });

  it('accepts the signature over the data string too (the second reading of the spec)', async () => {
    const m = message(5002);
    const data = (JSON.parse(m.body) as { data: string }).data;
    expect((await post(m.body, { signed: data })).status).toBe(200);
    expect(await pushJobs()).toBe(1);
  });

  it('a message id seen before is acknowledged again without a second job (replay inside the skew)', async () => {
    const m = message(5003);
    expect((await post(m.body)).status).toBe(200);
    const again = await post(m.body);
    expect(again).toEqual({ status: 200, body: { data: { message_id: m.id } } });
    expect(await pushJobs()).toBe(1);
  });

  it('collapses a burst of events for one receipt into one fetch', async () => {
    for (let i = 0; i < 6; i++) expect((await post(message(5004).body)).status).toBe(200);
    expect((await post(message(5005, 'delete').body)).status).toBe(200);
    const jobs = await queues.push.getJobs(['waiting']);
    expect(jobs.map((j) => (j.data as { receiptId: number }).receiptId).sort()).toEqual([5004, 5005]);
  });

  it('401 for a tampered body, a wrong key, no signature; nothing enqueued, reasons counted', async () => {
    const m = message(5006);
    const before = await rejects('bad-signature');
    const tampered = await post(m.body.replace(m.id, `${m.id}x`), { signed: m.body });
    expect(tampered.status).toBe(401);
    expect((await post(m.body, { secret: OTHER })).status).toBe(401);
    const bare = await fetch(`${server.url}/okki/webhook`, { method: 'POST', body: m.body });
    expect(bare.status).toBe(401);
    expect(await pushJobs()).toBe(0);
    expect((await rejects('bad-signature')) - before).toBe(2);
    expect(await rejects('missing-signature')).toBeGreaterThanOrEqual(1);
  });

  it('401 for a timestamp older than the skew (a replay) or from the future', async () => {
    const now = Math.floor(clock.now.getTime() / 1000);
    expect((await post(message(5007).body, { timestamp: now - 301 })).status).toBe(401);
    expect((await post(message(5007).body, { timestamp: now + 120 })).status).toBe(401);
    expect((await post(message(5007).body, { timestamp: now - 299 })).status).toBe(200);
    expect(await rejects('stale-timestamp')).toBeGreaterThanOrEqual(1);
    expect(await rejects('future-timestamp')).toBeGreaterThanOrEqual(1);
  });

  it('400 for a signed body that is not an envelope, cannot be decrypted, or carries no receipt id', async () => {
    expect((await post('{"message_id":"m1"}')).status).toBe(400);
    expect((await post('not json')).status).toBe(400);
    expect((await post(message(5008, 'update', 'msg_wrong_key', OTHER).body)).status).toBe(400);
    const noId = JSON.stringify({
      message_id: 'msg_no_id',
      data: encryptPush(SECRET, '{"biz":[{"biz_type":"xiaoman.crm.cash_collection.update","biz_data":{}}]}'),
    });
    expect((await post(noId)).status).toBe(400);
    const notBiz = JSON.stringify({ message_id: 'msg_not_biz', data: encryptPush(SECRET, '[1,2]') });
    expect((await post(notBiz)).status).toBe(400);
    expect(await pushJobs()).toBe(0);
    expect(await rejects('undecryptable')).toBe(1);
    expect(await rejects('invalid-payload')).toBe(2);
  });

  it('413 for a body over 64 KB, nothing enqueued', async () => {
    const big = JSON.stringify({ message_id: 'msg_big', data: 'A'.repeat(70 * 1024) });
    expect((await post(big)).status).toBe(413);
    expect(await rejects('too-large')).toBe(1);
    expect(await pushJobs()).toBe(0);
  });

  it('answers the test message with code 200 and its biz_data echoed', async () => {
    const plain = JSON.stringify({ biz: [{ biz_type: 'xiaoman.webhook.test', biz_data: '{"hello":"okki"}' }] });
    const body = JSON.stringify({ message_id: 'msg_test', data: encryptPush(SECRET, plain) });
    const res = await post(body);
    expect(res).toEqual({
      status: 200,
      body: { code: 200, data: { message_id: 'msg_test', data: { hello: 'okki' } } },
    });
    expect(await pushJobs()).toBe(0);
  });

  it('never logs the secret or a decrypted payload at info level', async () => {
    await post(message(777000111).body);
    expect(logs).toContain('push message enqueued');
    expect(logs).not.toContain(SECRET);
    expect(logs).not.toContain('777000111');
    expect(logs).not.toContain('cash_collection_id');
  });
});
