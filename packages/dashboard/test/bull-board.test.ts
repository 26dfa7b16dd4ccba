import { Worker, type Job, type Queue } from 'bullmq';
import type { HealthServer } from '@receipt-sync/core';
import { createRedisConnection } from '@receipt-sync/pipeline';
import { basic, createHarness, deadLetterRecord, get, REDIS_URL, seedDeadLetter, USER, type Harness } from './harness';

let h: Harness;
let server: HealthServer;
let failedReadyJob: Job;

function put(
  path: string,
  headers: Record<string, string> = { 'x-requested-with': 'receipt-sync' },
): Promise<Response> {
  return fetch(server.url + path, { method: 'PUT', headers: { authorization: basic(), ...headers } });
}

/** A job that really failed in `ready`, as a worker leaves it after its last attempt. */
async function failOneReadyJob(): Promise<Job> {
  const connection = createRedisConnection(REDIS_URL);
  const worker = new Worker(
    'ready',
    async () => {
      throw new Error('K3Cloud said no');
    },
    { connection, prefix: h.prefix },
  );
  const failed = new Promise<void>((resolve) => worker.on('failed', () => resolve()));
  // Deliberately incomplete data: the untyped view of the queue.
  const job = await (h.queues.ready as Queue).add(
    'ready',
    { receiptNo: 'SKHD1' },
    { jobId: 'ready-1-20250415174713-active', attempts: 1 },
  );
  await failed;
  await worker.close();
  await connection.quit();
  return (await h.queues.ready.getJob(job.id!))!;
}

beforeAll(async () => {
  h = await createHarness();
  server = await h.serveDashboard();
  failedReadyJob = await failOneReadyJob();
});
afterAll(() => h.close());

describe('Bull Board on the pipeline queues is read-only', () => {
  it.each([
    ['retry one job', () => `/queues/api/queues/ready/${failedReadyJob.id}/retry`],
    ['retry all failed', () => '/queues/api/queues/ready/retry/failed'],
    ['clean failed', () => '/queues/api/queues/ready/clean/failed'],
    ['remove one job', () => `/queues/api/queues/ready/${failedReadyJob.id}/clean`],
    ['empty raw', () => '/queues/api/queues/raw/empty'],
    ['obliterate windows', () => '/queues/api/queues/windows/obliterate'],
  ])('%s answers 405 and changes nothing', async (_name, path) => {
    const res = await put(path());
    expect(res.status).toBe(405);
    await res.text();
    const job = await h.queues.ready.getJob(failedReadyJob.id!);
    expect(await job?.getState()).toBe('failed');
    expect(job?.attemptsMade).toBe(1);
  });
});

describe('Bull Board on the dead-letter queues is writable', () => {
  it('removes a dead letter, and logs who did it', async () => {
    const id = await seedDeadLetter(h.queues, deadLetterRecord());
    const res = await put(`/queues/api/queues/dead-letter/${id}/clean`);
    expect(res.status).toBe(204);
    expect(await h.queues['dead-letter'].getJob(id)).toBeUndefined();
    expect(h.logger.lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        msg: 'dashboard: Bull Board write',
        obj: expect.objectContaining({ operator: USER }),
      }),
    );
  });

  it('refuses a write without the CSRF header or a same-origin Origin', async () => {
    const id = await seedDeadLetter(h.queues, deadLetterRecord());
    const crossSite = await put(`/queues/api/queues/dead-letter/${id}/clean`, { origin: 'https://evil.example' });
    expect(crossSite.status).toBe(403);
    const bare = await put(`/queues/api/queues/dead-letter/${id}/clean`, {});
    expect(bare.status).toBe(403);
    expect(await h.queues['dead-letter'].getJob(id)).toBeDefined();
    // What a browser sends for Bull Board's own buttons: same-origin Origin, no custom header.
    const sameOrigin = await put(`/queues/api/queues/dead-letter/${id}/clean`, { origin: server.url });
    expect(sameOrigin.status).toBe(204);
  });
});

describe('job data in Bull Board', () => {
  it('passes through redact: secret-named fields are hidden', async () => {
    const job = await (h.queues.raw as Queue).add('raw', {
      windowId: 'w1',
      receipt: { cash_collection_no: 'SKHD7' },
      access_token: 'tok-should-not-show',
      clientSecret: 'also-hidden',
    });
    const body = (await (await get(`${server.url}/queues/api/queues/raw/${job.id}`)).json()) as {
      job: { data: Record<string, unknown> };
    };
    expect(body.job.data).toEqual({
      windowId: 'w1',
      receipt: { cash_collection_no: 'SKHD7' },
      access_token: '[redacted]',
      clientSecret: '[redacted]',
    });
  });
});
