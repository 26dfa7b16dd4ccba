import { Worker, type Queue } from 'bullmq';
import type IORedis from 'ioredis';
import { QuarantineError } from '@receipt-sync/core';
import type { HealthServer } from '@receipt-sync/core';
import { createRedisConnection, OutcomeTracker, settleFailure, type ReplayResult } from '@receipt-sync/pipeline';
import type { DeadLetterPage, DiscardResult } from '../src';
import {
  createHarness,
  deadLetterRecord,
  get,
  post,
  REDIS_URL,
  seedDeadLetter,
  USER,
  waitFor,
  type Harness,
} from './harness';

let h: Harness;
let server: HealthServer;
let workerConnection: IORedis;

beforeAll(async () => {
  h = await createHarness();
  workerConnection = createRedisConnection(REDIS_URL);
  server = await h.serveDashboard();
});
afterAll(async () => {
  await workerConnection.quit();
  await h.close();
});

/**
 * Runs the real failure path on `ready`: every attempt fails, settleFailure retries until the
 * attempts are spent, then dead-letters (or quarantines) the job. Resolves with the dead-letter ids.
 */
async function exhaustReadyJobs(
  receiptNos: string[],
  error: () => Error,
  target: 'dead-letter' | 'quarantine',
): Promise<string[]> {
  // Jobs replayed by an earlier test are still waiting in `ready`; this worker must not see them.
  await h.queues.ready.drain(true);
  const tracker = new OutcomeTracker(h.connection, h.prefix);
  const worker = new Worker(
    'ready',
    async (job, token) => {
      await settleFailure(job, token, error(), {
        queues: h.queues,
        tracker,
        sourceQueue: 'ready',
        orderWaitDelaysMs: [],
        receiptNo: job.data.receiptNo,
        receiptId: job.data.receiptId,
      });
    },
    { connection: workerConnection, prefix: h.prefix, concurrency: 4 },
  );
  const ids: string[] = [];
  for (const receiptNo of receiptNos) {
    const receiptId = receiptNo.replace(/\D/g, '');
    const job = await (h.queues.ready as Queue).add(
      'ready',
      { receiptNo, receiptId, fields: { F_PBLH_CashCollectionNo: receiptNo } },
      {
        jobId: `ready-${receiptId}-20250415174713-active`,
        attempts: 3,
        backoff: { type: 'fixed', delay: 0 },
      },
    );
    ids.push(`dl-${job.id}`);
  }
  await waitFor(`${ids.length} records in ${target}`, async () => {
    const jobs = await Promise.all(ids.map((id) => h.queues[target].getJob(id)));
    return jobs.every(Boolean) ? true : undefined;
  });
  await worker.close();
  return ids;
}

describe('replay', () => {
  it('puts one dead letter back into its source queue as a new job with every attempt available', async () => {
    const [first, second] = await exhaustReadyJobs(
      ['SKHD101', 'SKHD102'],
      () => new Error('socket hang up'),
      'dead-letter',
    );
    const dl = await h.queues['dead-letter'].getJob(first!);
    expect(dl?.data).toMatchObject({ sourceQueue: 'ready', attemptsMade: 2, receiptNo: 'SKHD101', replays: 0 });

    const res = await post(`${server.url}/api/dead-letters/replay`, { queue: 'dead-letter', ids: [first] });
    expect(res.status).toBe(200);
    const result = (await res.json()) as ReplayResult;
    expect(result).toEqual({
      replayed: [{ deadLetterId: first, newJobId: 'ready-101-20250415174713-active-replay1', queue: 'ready' }],
      failed: [],
    });

    const replayed = await h.queues.ready.getJob('ready-101-20250415174713-active-replay1');
    expect(replayed?.attemptsMade).toBe(0);
    expect(await replayed?.getState()).toBe('waiting');
    expect(replayed?.data).toEqual({
      receiptNo: 'SKHD101',
      receiptId: '101',
      fields: { F_PBLH_CashCollectionNo: 'SKHD101' },
      __replays: 1,
    });
    expect(await h.queues['dead-letter'].getJob(first!)).toBeUndefined();
    expect(await h.queues['dead-letter'].getJob(second!)).toBeDefined();
    expect(h.logger.lines).toContainEqual(
      expect.objectContaining({
        level: 'info',
        obj: expect.objectContaining({ operator: USER, queue: 'dead-letter' }),
      }),
    );
  });

  it('replays all quarantined records at once', async () => {
    const ids = await exhaustReadyJobs(
      ['SKHD201', 'SKHD202'],
      () => new QuarantineError('SKHD', ['receipt has no sales order']),
      'quarantine',
    );
    const res = await post(`${server.url}/api/dead-letters/replay`, { queue: 'quarantine', all: true });
    const result = (await res.json()) as ReplayResult;
    expect(result.replayed.map((r) => r.deadLetterId).sort()).toEqual([...ids].sort());
    for (const r of result.replayed) {
      const job = await h.queues.ready.getJob(r.newJobId);
      expect(job?.attemptsMade).toBe(0);
      expect(await job?.getState()).toBe('waiting');
    }
    expect(await h.queues.quarantine.getJobCounts('wait')).toEqual({ wait: 0 });
  });

  it('says why a dead letter was not replayed in the page’s language, keeping the English reason for scripts', async () => {
    await (h.queues['dead-letter'] as Queue).add('dead-letter', { not: 'a record' }, { jobId: 'dl-junk' });
    const body = { queue: 'dead-letter', ids: ['dl-gone', 'dl-junk'] };
    // No DASHBOARD_LOCALE: the browser's language (or the switch's cookie) decides, as for a page.
    const chosen = await h.serveDashboard({ locale: undefined });
    const zh = await post(`${chosen.url}/api/dead-letters/replay`, body, { 'accept-language': 'zh-CN,zh;q=0.9' });
    expect(zh.status).toBe(200);
    expect(((await zh.json()) as ReplayResult).failed).toEqual([
      { deadLetterId: 'dl-gone', reason: 'no such dead letter', error: '没有这条写入失败记录' },
      { deadLetterId: 'dl-junk', reason: 'not a dead-letter record', error: '不是写入失败记录' },
    ]);
    const en = await post(`${chosen.url}/api/dead-letters/replay`, body, { cookie: 'rs_lang=en' });
    expect(((await en.json()) as ReplayResult).failed.map((f) => (f as { error?: string }).error)).toEqual([
      'no such dead letter',
      'not a dead-letter record',
    ]);
    await h.queues['dead-letter'].remove('dl-junk');
  });

  it('rejects a body that names neither ids nor all', async () => {
    const res = await post(`${server.url}/api/dead-letters/replay`, { queue: 'dead-letter' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ issues: ['(body): give either ids (a non-empty list) or all: true'] });
    expect((await post(`${server.url}/api/dead-letters/replay`, { queue: 'raw', all: true })).status).toBe(400);
  });
});

describe('CSRF on state-changing routes', () => {
  it('refuses a POST without the header or a same-origin Origin, and changes nothing', async () => {
    const id = await seedDeadLetter(h.queues, deadLetterRecord());
    const bare = await post(
      `${server.url}/api/dead-letters/replay`,
      { queue: 'dead-letter', ids: [id] },
      { 'x-requested-with': '' },
    );
    expect(bare.status).toBe(403);
    const crossSite = await post(
      `${server.url}/api/dead-letters/discard`,
      { queue: 'dead-letter', ids: [id] },
      { 'x-requested-with': 'XMLHttpRequest', origin: 'https://evil.example' },
    );
    expect(crossSite.status).toBe(403);
    expect(await h.queues['dead-letter'].getJob(id)).toBeDefined();

    const sameOrigin = await post(
      `${server.url}/api/dead-letters/replay`,
      { queue: 'dead-letter', ids: [id] },
      { 'x-requested-with': '', origin: server.url },
    );
    expect(sameOrigin.status).toBe(200);
    expect(await h.queues['dead-letter'].getJob(id)).toBeUndefined();
  });

  it('answers GET on a POST route with 405', async () => {
    const res = await get(`${server.url}/api/dead-letters/replay`);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });
});

describe('listing and discarding', () => {
  it('lists dead letters with what an operator needs to decide', async () => {
    const record = deadLetterRecord({
      receiptNo: 'SKHD-LIST',
      code: 'k3cloud.rejected',
      reason: 'F_PBLH_Amount is required',
    });
    const id = await seedDeadLetter(h.queues, record);
    const page = (await (
      await get(`${server.url}/api/dead-letters?queue=dead-letter&start=0&end=99`)
    ).json()) as DeadLetterPage;
    expect(page.items.find((i) => i.id === id)).toEqual({
      id,
      kind: 'dead-lettered',
      code: 'k3cloud.rejected',
      reason: 'F_PBLH_Amount is required',
      receiptNo: 'SKHD-LIST',
      receiptId: record.receiptId,
      failedAt: record.failedAt,
      replays: 0,
      sourceQueue: 'ready',
    });
    expect(page.total).toBe(await h.queues['dead-letter'].count());
    expect((await get(`${server.url}/api/dead-letters?queue=ready`)).status).toBe(400);
    expect((await get(`${server.url}/api/dead-letters?start=10&end=2`)).status).toBe(400);
  });

  it('discards dead letters and logs who dropped what at warn', async () => {
    const id = await seedDeadLetter(h.queues, deadLetterRecord({ receiptNo: 'SKHD-DROP' }));
    const res = await post(`${server.url}/api/dead-letters/discard`, { queue: 'dead-letter', ids: [id, 'dl-nope'] });
    const result = (await res.json()) as DiscardResult;
    expect(result).toEqual({
      discarded: [{ id, receiptNo: 'SKHD-DROP', code: 'k3cloud.order-not-found' }],
      failed: [{ id: 'dl-nope', reason: 'no such dead letter', error: 'no such dead letter' }],
    });
    expect(await h.queues['dead-letter'].getJob(id)).toBeUndefined();
    const line = h.logger.lines.find((l) => l.level === 'warn' && /discarded 1 dead letter/.test(l.msg ?? ''));
    expect(line?.obj).toMatchObject({
      operator: USER,
      queue: 'dead-letter',
      discarded: [{ id, receiptNo: 'SKHD-DROP' }],
    });
  });
});
