import { existsSync } from 'node:fs';
import { QueueEvents, Worker } from 'bullmq';
import type IORedis from 'ioredis';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createAlerter } from '../src/alerts';
import { formatChinaTime } from '@receipt-sync/core';
import type { HealthServer } from '@receipt-sync/core';
import { createRedisConnection } from '@receipt-sync/pipeline';
import {
  createHarness,
  deadLetterRecord,
  PASSWORD,
  recordingLogger,
  REDIS_URL,
  seedDeadLetter,
  USER,
  type Harness,
} from './harness';

/** Debian's chromium; CI installs it. Missing → the suite fails, it never silently skips. */
const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SCREENSHOT = '/tmp/dashboard.png';

jest.setTimeout(120_000);

let h: Harness;
let server: HealthServer;
let browser: Browser | undefined;
let worker: Worker | undefined;
let events: QueueEvents | undefined;
let workerConnection: IORedis | undefined;
let eventsConnection: IORedis | undefined;
let page: Page;

const record = deadLetterRecord({
  receiptNo: 'SKHD20250415001',
  code: 'k3cloud.order-not-found',
  reason: 'sales order not found in K3Cloud',
});
const replayedJobId = `${record.sourceJobId}-replay1`;

async function seedStatus(): Promise<void> {
  const { store } = h;
  await store.checkpoints.advance('receipts', formatChinaTime(new Date(Date.now() - 240_000)), undefined);
  await store.windows.open({
    id: 'w-1',
    start: '2025-04-15 09:58:00',
    end: '2025-04-15 10:04:55',
    startedAt: new Date(Date.now() - 300_000),
  });
  await store.windows.update('w-1', {
    status: 'completed',
    counts: { fetched: 42, written: 39, unchanged: 1, quarantined: 1, deadLettered: 1 },
  });
  await store.ledger.recordOutcome('5001', {
    status: 'dead-lettered',
    receiptNo: record.receiptNo,
    lastError: { code: record.code, message: record.reason },
  });
  await store.audit.append([
    {
      system: 'k3cloud',
      operation: 'BatchSave',
      method: 'POST',
      path: '/k3cloud/Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.BatchSave.common.kdsvc',
      durationMs: 120_000,
      attempt: 1,
      outcome: 'timeout',
      errorCode: 'net.timeout',
      message: 'no answer within 120000 ms',
      at: new Date().toISOString(),
    },
  ]);
  await seedDeadLetter(
    h.queues,
    deadLetterRecord({
      kind: 'quarantined',
      code: 'receipt.quarantined',
      receiptNo: 'SKHD20250415002',
      reason: 'receipt SKHD20250415002: receipt has no sales order',
    }),
    'quarantine',
  );
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} not found: install Debian's chromium (apt-get install chromium) to run the dashboard browser test`,
    );
  }
  h = await createHarness();
  await seedStatus();
  await seedDeadLetter(h.queues, record);

  // A tiny stand-in for the writer: completes whatever reaches `ready`.
  workerConnection = createRedisConnection(REDIS_URL);
  worker = new Worker('ready', async (job) => ({ written: job.data.receiptNo as string }), {
    connection: workerConnection,
    prefix: h.prefix,
  });
  eventsConnection = createRedisConnection(REDIS_URL);
  events = new QueueEvents('ready', { connection: eventsConnection, prefix: h.prefix });
  await events.waitUntilReady();

  const alerter = createAlerter({ targets: [], logger: recordingLogger() });
  await alerter.raise({
    key: 'dead-letters-growing',
    title: 'Dead-lettered receipts are growing',
    detail: '1 receipt job(s) exhausted their retries since the last check.',
    severity: 'warning',
  });
  server = await h.serveDashboard({ alerter });

  // Playwright gives every launch() its own temporary user-data-dir and removes it on close.
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  const context = await browser.newContext({
    httpCredentials: { username: USER, password: PASSWORD },
    viewport: { width: 1360, height: 900 },
  });
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await worker?.close();
  await events?.close();
  await workerConnection?.quit();
  await eventsConnection?.quit();
  await h?.close();
});

/** Resolves when `jobId` completes in `ready`; rejects after `ms`. */
function completion(jobId: string, ms: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      events!.off('completed', onCompleted);
      reject(new Error(`replayed job ${jobId} did not complete within ${ms} ms`));
    }, ms);
    const onCompleted = ({ jobId: id, returnvalue }: { jobId: string; returnvalue: unknown }) => {
      if (id !== jobId) return;
      clearTimeout(timer);
      events!.off('completed', onCompleted);
      resolve(returnvalue);
    };
    events!.on('completed', onCompleted);
  });
}

describe('dashboard in a real browser', () => {
  it('logs in, replays a dead letter with one click, and the replayed job completes', async () => {
    const response = await page.goto(`${server.url}/`);
    expect(response?.status()).toBe(200);
    const row = page.locator('#dead-letter tr', { hasText: record.receiptNo! });
    await expect(row.count()).resolves.toBe(1);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    const done = completion(replayedJobId, 20_000);
    await row.getByRole('button', { name: 'Replay' }).click();
    // The page reloads after the POST and says what happened.
    await page.getByRole('status').filter({ hasText: 'Replayed 1 job(s).' }).waitFor({ timeout: 15_000 });
    expect(await done).toEqual({ written: record.receiptNo });

    const job = await h.queues.ready.getJob(replayedJobId);
    expect(await job?.getState()).toBe('completed');
    expect(job?.attemptsMade).toBe(1);
    expect(await h.queues['dead-letter'].getJob(`dl-${record.sourceJobId}`)).toBeUndefined();
    await expect(page.locator('#dead-letter h2').textContent()).resolves.toBe('Dead letters (0)');
  });

  it('opens Bull Board behind the same login, read-only: its own writes are refused', async () => {
    await page.goto(`${server.url}/queues`);
    await page.getByText('quarantine').first().waitFor({ timeout: 20_000 });
    await page.screenshot({ path: '/tmp/dashboard-bull-board.png' });
    // Bull Board's UI sends no custom header; the browser's Origin passes the CSRF guard, the write guard refuses.
    const [quarantined] = await h.queues.quarantine.getJobs(['wait']);
    const status = await page.evaluate(
      (id) => fetch(`/queues/api/queues/quarantine/${id}/clean`, { method: 'PUT' }).then((r) => r.status),
      quarantined!.id!,
    );
    expect(status).toBe(403);
    expect(await h.queues.quarantine.getJob(quarantined!.id!)).toBeDefined();
  });
});
