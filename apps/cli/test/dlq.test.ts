import { randomBytes } from 'node:crypto';
import type IORedis from 'ioredis';
import { SalesOrderNotFoundError } from '@receipt-sync/core';
import {
  closeQueues,
  createQueues,
  createRedisConnection,
  deadLetter,
  rawJobId,
  type PipelineQueues,
} from '@receipt-sync/pipeline';
import { lastJson, runCli } from './run-cli';

let redis: IORedis;
let queues: PipelineQueues;
let prefix: string;
let env: NodeJS.ProcessEnv;

const RECEIPT = {
  cash_collection_id: 5221565013,
  cash_collection_no: 'HK202504150112',
  update_time: '2025-04-15 17:47:13',
  order_id: 3564000001,
};
const RAW_ID = rawJobId(RECEIPT.cash_collection_id, RECEIPT.update_time, false);

/** A raw job that failed for good, dead-lettered the way the transformer does it. */
async function seedDeadLetter(): Promise<string> {
  const job = await queues.raw.add(
    'receipt',
    { windowId: 'w1', removed: false, fetchedAt: new Date().toISOString(), receipt: RECEIPT },
    { jobId: RAW_ID },
  );
  await job.remove(); // the transformer's job finished; only the dead letter remains
  await deadLetter(queues, {
    job,
    sourceQueue: 'raw',
    kind: 'dead-lettered',
    error: new SalesOrderNotFoundError('3564000001'),
    receiptId: String(RECEIPT.cash_collection_id),
    receiptNo: RECEIPT.cash_collection_no,
    windowId: 'w1',
  });
  return `dl-${RAW_ID}`;
}

beforeAll(() => {
  prefix = `rtest-cli-${randomBytes(4).toString('hex')}`;
  env = { QUEUE_PREFIX: prefix, REDIS_URL: 'redis://127.0.0.1:6379', MONGO_URL: '' };
  redis = createRedisConnection('redis://127.0.0.1:6379');
  queues = createQueues(redis, prefix);
});

afterAll(async () => {
  await closeQueues(queues);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

describe('cli dlq', () => {
  it('lists a dead letter, replays it into raw as a new job and leaves the dead-letter queue empty', async () => {
    const id = await seedDeadLetter();

    const list = runCli(['dlq', 'list', '--json'], env);
    expect(list.status).toBe(0);
    expect(lastJson(list)).toMatchObject({
      queue: 'dead-letter',
      total: 1,
      items: [
        {
          id,
          kind: 'dead-lettered',
          sourceQueue: 'raw',
          code: 'k3cloud.order-not-found',
          receiptNo: 'HK202504150112',
          replays: 0,
        },
      ],
    });
    const human = runCli(['dlq', 'list'], env);
    expect(human.stdout).toMatch(/HK202504150112.*k3cloud\.order-not-found/);

    const replay = runCli(['dlq', 'replay', '--all', '--json'], env);
    expect(replay.status).toBe(0);
    expect(lastJson(replay)).toEqual({
      queue: 'dead-letter',
      replayed: [{ deadLetterId: id, newJobId: `${RAW_ID}-replay1`, queue: 'raw' }],
      failed: [],
    });

    expect(await queues['dead-letter'].getJob(id)).toBeUndefined();
    const replayed = await queues.raw.getJob(`${RAW_ID}-replay1`);
    expect(replayed?.data).toMatchObject({ receipt: RECEIPT, removed: false, __replays: 1 });
    expect(lastJson(runCli(['dlq', 'list', '--json'], env))).toMatchObject({ total: 0, items: [] });
  });

  it('discards by id and exits 2 for an id that does not exist', async () => {
    const id = await seedDeadLetter();
    const missing = runCli(['dlq', 'discard', '--id', 'dl-nope', '--json'], env);
    expect(missing.status).toBe(2);
    expect(lastJson(missing)).toEqual({
      queue: 'dead-letter',
      discarded: [],
      failed: [{ id: 'dl-nope', reason: 'no such dead letter' }],
    });

    const run = runCli(['dlq', 'discard', '--id', id], env);
    expect(run.status).toBe(0);
    expect(await queues['dead-letter'].getJob(id)).toBeUndefined();
  });

  it.each([
    [['dlq', 'replay'], /--id <id>… or use --all/],
    [['dlq', 'replay', '--all', '--id', 'x'], /either --id … or --all/],
    [['dlq', 'list', '--queue', 'ready'], /--queue must be dead-letter or quarantine/],
    [['dlq', 'list', '--limit', '0'], /--limit must be/],
  ])('exits 2 for bad arguments: %j', (args, message) => {
    const run = runCli(args, env);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it('exits 1 with a clear message when Redis is unreachable or the configuration is bad', () => {
    const down = runCli(['dlq', 'list'], { ...env, REDIS_URL: 'redis://:hunter2secret@127.0.0.1:1' });
    expect(down.status).toBe(1);
    expect(down.stderr).toMatch(/Redis is not reachable at redis:\/\/127\.0\.0\.1:1/);
    expect(down.stderr).not.toContain('hunter2secret');

    const bad = runCli(['dlq', 'list'], { ...env, QUEUE_PREFIX: 'bad:prefix', KINGDEE_PASSWORD: 'topsecret-pw' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/QUEUE_PREFIX/);
    expect(bad.stderr).not.toContain('topsecret-pw');
  });
});
