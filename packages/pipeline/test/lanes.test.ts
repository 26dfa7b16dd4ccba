import { randomUUID } from 'node:crypto';
import type IORedis from 'ioredis';
import { Worker } from 'bullmq';
import {
  addRawVersions,
  closeQueues,
  createQueues,
  createRedisConnection,
  laneBacklogs,
  laneOf,
  type PipelineQueues,
  type RawReceiptJob,
} from '@receipt-sync/pipeline';

const raw = (id: number): RawReceiptJob => ({
  windowId: 'w1',
  removed: false,
  fetchedAt: '',
  receipt: { cash_collection_id: id, update_time: '2025-04-16 10:00:00' } as RawReceiptJob['receipt'],
});

/** The two lanes as BullMQ keeps them: which job a worker takes first, promotion, and each lane's backlog. */
describe('lanes on a BullMQ queue', () => {
  let redis: IORedis;
  let queues: PipelineQueues;
  const prefix = `test-lanes-${randomUUID().slice(0, 8)}`;

  beforeAll(() => {
    redis = createRedisConnection('redis://127.0.0.1:6379');
    queues = createQueues(redis, prefix);
  });
  afterAll(async () => {
    await closeQueues(queues);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('hands a worker every live job before any bulk job, each lane first come first served', async () => {
    await addRawVersions(
      queues,
      [1, 2, 3].map((id) => ({ name: 'receipt', data: raw(id) })),
      'bulk',
    );
    await addRawVersions(
      queues,
      [4, 5].map((id) => ({ name: 'receipt', data: raw(id) })),
    );
    // A version the backfill queued that a push adds again: the same job, moved to the live lane.
    await addRawVersions(queues, [{ name: 'receipt', data: raw(2) }]);

    const backlog = await laneBacklogs(queues.raw, Date.now() + 5_000);
    expect(backlog.live.waiting).toBe(3);
    expect(backlog.bulk.waiting).toBe(2);
    expect(backlog.bulk.oldestSeconds).toBeGreaterThanOrEqual(5);

    const order: Array<[number, string]> = [];
    const connection = createRedisConnection('redis://127.0.0.1:6379');
    const worker = new Worker(
      'raw',
      async (job) => void order.push([(job.data as RawReceiptJob).receipt.cash_collection_id, laneOf(job)]),
      { connection, prefix, concurrency: 1 },
    );
    try {
      const deadline = Date.now() + 10_000;
      while (order.length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    } finally {
      await worker.close();
      await connection.quit();
    }
    expect(order).toEqual([
      [4, 'live'],
      [5, 'live'],
      [2, 'live'],
      [1, 'bulk'],
      [3, 'bulk'],
    ]);
    expect((await laneBacklogs(queues.raw)).live).toEqual({ waiting: 0, oldestSeconds: 0 });
  });
});
