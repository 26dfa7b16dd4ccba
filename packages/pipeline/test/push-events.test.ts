import { randomUUID } from 'node:crypto';
import type IORedis from 'ioredis';
import { createLogger, MemoryAudit } from '@receipt-sync/core';
import { OkkiClient } from '@receipt-sync/okki';
import { generateDataset, startOkkiSimulator, type OkkiSimulator } from '@receipt-sync/simulators';
import {
  closeQueues,
  createQueues,
  createRedisConnection,
  processPushEvent,
  PushState,
  rawJobId,
  type PipelineQueues,
  type PushEventDeps,
} from '@receipt-sync/pipeline';
import type { Job } from 'bullmq';

describe('push worker: an OKKI push event becomes the raw job polling would add', () => {
  let sim: OkkiSimulator;
  let okki: OkkiClient;
  let redis: IORedis;
  let queues: PipelineQueues;
  let deps: PushEventDeps;
  const prefix = `test-push-ev-${randomUUID().slice(0, 8)}`;
  const dataset = generateDataset({ seed: 4, receipts: 6, orders: 3 });
  const job = (receiptId: number, event: 'create' | 'update' | 'delete') =>
    ({ id: 'j1', data: { receiptId, event, messageId: 'msg_1', receivedAt: new Date().toISOString() } }) as Job;

  beforeAll(async () => {
    sim = await startOkkiSimulator({ receipts: dataset.receipts });
    okki = new OkkiClient({
      baseUrl: sim.url,
      clientId: sim.clientId,
      clientSecret: sim.clientSecret,
      timeoutMs: 5_000,
      maxRps: 1_000,
      limiterId: `${prefix}-okki`,
      audit: new MemoryAudit(),
      retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 50 },
    });
    redis = createRedisConnection('redis://127.0.0.1:6379');
    queues = createQueues(redis, prefix);
    deps = {
      queues,
      okki,
      state: new PushState(redis, prefix),
      logger: createLogger({ name: 'push-events-test', level: 'silent' }),
    };
    await deps.state.markConfigured(new Date(Date.now() - 60_000));
  });

  afterAll(async () => {
    await queues.raw.obliterate({ force: true });
    await closeQueues(queues);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    await okki.close();
    await sim.close();
  });

  it('an update feeds raw under the job id of that version, once, and counts as first seen by push', async () => {
    const r = sim.upsertReceipt({ ...dataset.receipts[0]!, comment: 'pushed edit' });
    const first = await processPushEvent(job(r.cash_collection_id, 'update'), deps);
    expect(first).toEqual({ outcome: 'enqueued', jobId: rawJobId(r.cash_collection_id, r.update_time, false) });
    const again = await processPushEvent(job(r.cash_collection_id, 'update'), deps);
    expect(again.jobId).toBe(first.jobId);
    const raw = await queues.raw.getJob(first.jobId!);
    expect(raw?.data).toMatchObject({ windowId: 'push', removed: false, receipt: { comment: 'pushed edit' } });
    expect(await queues.raw.count()).toBe(1);
    expect((await deps.state.summary()).firstSeen).toEqual({ push: 1, poll: 0 });
    // Polling later sees the same version: not first, not a missed push; a version push never brought is.
    const tag = r.update_time.replace(/\D/g, '');
    expect(await deps.state.recordFirstSeen([`${r.cash_collection_id}-${tag}-active`], 'poll')).toBe(0);
    expect(await deps.state.recordFirstSeen([`424242-${tag}-active`], 'poll')).toBe(1);
    expect((await deps.state.summary()).missedLastHour).toBe(1);
  });

  it('a delete feeds the removed version, exactly as the removed list would', async () => {
    const id = dataset.receipts[1]!.cash_collection_id;
    sim.removeReceipt(id);
    const removed = sim.getReceipt(id)!;
    const out = await processPushEvent(job(id, 'delete'), deps);
    expect(out.jobId).toBe(rawJobId(id, removed.update_time, true));
    expect((await queues.raw.getJob(out.jobId!))?.data).toMatchObject({ removed: true });
  });

  it('a receipt OKKI no longer returns is recorded and the job ends without a retry', async () => {
    const out = await processPushEvent(job(987654321, 'update'), deps);
    expect(out).toEqual({ outcome: 'gone' });
    expect((await deps.state.summary()).gone).toBe(1);
  });

  it('an OKKI outage fails the job so BullMQ retries it (then the sweeper has it)', async () => {
    sim.faults.errorRate = 1;
    try {
      await expect(processPushEvent(job(dataset.receipts[2]!.cash_collection_id, 'update'), deps)).rejects.toThrow();
    } finally {
      sim.faults.errorRate = 0;
    }
  });
});
