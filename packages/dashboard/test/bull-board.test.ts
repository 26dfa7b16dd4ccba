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

describe('Bull Board is a viewer: its write API is refused on every queue', () => {
  it.each([
    ['retry one job', () => `/queues/api/queues/ready/${failedReadyJob.id}/retry`],
    ['retry all failed', () => '/queues/api/queues/ready/retry/failed'],
    ['clean failed', () => '/queues/api/queues/ready/clean/failed'],
    ['remove one job', () => `/queues/api/queues/ready/${failedReadyJob.id}/clean`],
    ['empty raw', () => '/queues/api/queues/raw/empty'],
    ['obliterate windows', () => '/queues/api/queues/windows/obliterate'],
    ['pause every queue', () => '/queues/api/queues/pause'],
  ])('%s answers 403 and changes nothing', async (_name, path) => {
    const res = await put(path());
    expect(res.status).toBe(403);
    await res.text();
    const job = await h.queues.ready.getJob(failedReadyJob.id!);
    expect(await job?.getState()).toBe('failed');
    expect(job?.attemptsMade).toBe(1);
    expect(await h.queues.windows.isPaused()).toBe(false);
  });

  it.each([
    ['Empty', (_id: string) => '/queues/api/queues/dead-letter/empty'],
    ['Clean waiting', (_id: string) => '/queues/api/queues/dead-letter/clean/waiting'],
    ['Clean completed', (_id: string) => '/queues/api/queues/quarantine/clean/completed'],
    ['obliterate', (_id: string) => '/queues/api/queues/dead-letter/obliterate'],
    ['remove one', (id: string) => `/queues/api/queues/dead-letter/${id}/clean`],
    ['pause', (_id: string) => '/queues/api/queues/quarantine/pause'],
  ])('%s on the dead-letter queues answers 403, keeps every receipt and logs the attempt', async (_name, path) => {
    const id = await seedDeadLetter(h.queues, deadLetterRecord());
    const quarantined = await seedDeadLetter(h.queues, deadLetterRecord({ kind: 'quarantined' }), 'quarantine');
    const res = await put(path(id), { origin: server.url });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toMatch(/status page/);
    expect(await h.queues['dead-letter'].getJob(id)).toBeDefined();
    expect(await h.queues.quarantine.getJob(quarantined)).toBeDefined();
    expect(await h.queues.quarantine.isPaused()).toBe(false);
    expect(h.logger.lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        msg: 'dashboard: Bull Board write refused',
        obj: expect.objectContaining({ operator: USER }),
      }),
    );
  });

  it('shows every queue read-only in its UI', async () => {
    const api = (await (await get(`${server.url}/queues/api/queues`)).json()) as {
      queues: Array<{ name: string; readOnlyMode: boolean }>;
    };
    expect(api.queues.map((q) => q.readOnlyMode)).toEqual([true, true, true, true, true, true, true]); // push and reconcile included
  });
});

describe('the Bull Board page', () => {
  it('loads no Google Fonts and sends no X-Powered-By', async () => {
    for (const path of ['/queues', '/queues/queue/dead-letter', '/queues/api/queues']) {
      const res = await get(`${server.url}${path}`);
      const body = await res.text();
      expect(res.status).toBe(200);
      expect(res.headers.get('x-powered-by')).toBeNull();
      expect(body).not.toMatch(/fonts\.(googleapis|gstatic)\.com/);
    }
    const page = await (await get(`${server.url}/queues`)).text();
    const css = /href="(static\/css\/[^"]+)"/.exec(page)?.[1];
    expect(css).toBeDefined();
    const sheet = await get(`${server.url}/queues/${css}`);
    expect(sheet.headers.get('x-powered-by')).toBeNull();
    // Its stylesheet falls back to system fonts when IBM Plex is absent.
    expect(await sheet.text()).toMatch(/IBM Plex Sans",\s*system-ui/);
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
