import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { QueueEvents, Worker } from 'bullmq';
import type IORedis from 'ioredis';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createAlerter } from '../src/alerts';
import { formatChinaTime } from '@receipt-sync/core';
import type { HealthServer } from '@receipt-sync/core';
import { createRedisConnection } from '@receipt-sync/pipeline';
import { SERIES, TimeSeries } from '@receipt-sync/store';
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
/** Screenshots kept as test artifacts (gitignored; README, Dashboard). */
const ARTIFACTS = path.resolve(__dirname, '../../../test-artifacts');

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

/** The receipt an operator searches for: dead-lettered by the writer, its order known to K3Cloud. */
const searched = deadLetterRecord({
  receiptId: '5221565013',
  receiptNo: 'HK202504150434',
  sourceJobId: 'ready-5221565013-20250415174713-active',
  code: 'k3cloud.save-failed',
  reason: 'K3Cloud refused the row: 销售订单 XSDD000123 已审核，不能修改 <b>locked</b>',
});

/** What the pipeline leaves for a dead-lettered receipt, plus a day of chart data. */
async function seedSearched(): Promise<void> {
  const { store } = h;
  const dlId = await seedDeadLetter(h.queues, searched);
  await store.history.record([
    { receiptId: '5221565013', updateTime: '2025-04-15 10:02:11', removed: false, source: 'window', windowId: 'w-0' },
    { receiptId: '5221565013', updateTime: '2025-04-15 17:47:13', removed: false, source: 'window', windowId: 'w-1' },
  ]);
  await store.orders.put('3564000123', { fid: 100123, billNo: 'XSDD000123' });
  await store.ledger.recordOutcome('5221565013', {
    status: 'dead-lettered',
    receiptNo: searched.receiptNo,
    orderId: '3564000123',
    sourceVersion: '2025-04-15 17:47:13',
    deadLetterId: dlId,
    lastError: { code: searched.code, message: searched.reason },
  });
  const at = (secondsAgo: number) => new Date(Date.now() - secondsAgo * 1000).toISOString();
  const k3 = (operation: string, secondsAgo: number, extra: object, subjects: string[]) => ({
    system: 'k3cloud' as const,
    operation,
    method: 'POST',
    path: `/k3cloud/${operation}`,
    durationMs: 180,
    attempt: 1,
    outcome: 'ok' as const,
    at: at(secondsAgo),
    subjects,
    ...extra,
  });
  await store.audit.append([
    k3('ExecuteBillQuery', 300, {}, ['3564000123']),
    k3(
      'BatchSave',
      240,
      { outcome: 'business-error', status: 200, errorCode: searched.code, message: '1 of 1 models rejected' },
      ['5221565013', '3564000123'],
    ),
  ]);
  const series = new TimeSeries(h.connection, h.prefix);
  const now = Date.now();
  // A working day's shape: busy in the afternoon, quiet at night, lag rising while busy.
  for (let m = 0; m < 24 * 60; m += 1) {
    const at = new Date(now - m * 60_000);
    const busy = Math.max(0, Math.round(6 + 5 * Math.sin(m / 230) + ((m * 7) % 5)));
    await series.add(SERIES.written, busy, at);
    if (m % 4 === 0) await series.add(SERIES.unchanged, 2, at);
    if (m % 151 === 0) await series.add(SERIES.deadLettered, 1, at);
    await series.sample(SERIES.checkpointLag, 40 + busy * 12, at);
  }
}

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
  server = await h.serveDashboard({ alerter, series: new TimeSeries(h.connection, h.prefix) });

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
    const response = await page.goto(`${server.url}/dead-letters?queue=dead-letter`);
    expect(response?.status()).toBe(200);
    const row = page.locator('#dead-letter tr', { hasText: record.receiptNo! });
    await expect(row.count()).resolves.toBe(1);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    const done = completion(replayedJobId, 20_000);
    // The order is missing in K3Cloud: the button says what must change first and asks before replaying.
    const asked = new Promise<string>((resolve) =>
      page.once('dialog', (d) => {
        resolve(d.message());
        void d.accept();
      }),
    );
    await row.getByRole('button', { name: /^Replay \(after creating the order/ }).click();
    expect(await asked).toContain('Create the sales order with F_Cash_Collection_Id');
    // The page reloads after the POST and says what happened.
    await page.getByRole('status').filter({ hasText: 'Replayed 1 job(s).' }).waitFor({ timeout: 15_000 });
    expect(await done).toEqual({ written: record.receiptNo });

    const job = await h.queues.ready.getJob(replayedJobId);
    expect(await job?.getState()).toBe('completed');
    expect(job?.attemptsMade).toBe(1);
    expect(await h.queues['dead-letter'].getJob(`dl-${record.sourceJobId}`)).toBeUndefined();
    await expect(page.locator('#dead-letter .section-head').textContent()).resolves.toContain('0 jobs in the queue');
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

describe('finding a receipt in a real browser', () => {
  it('searches a receipt by number, opens its page and replays it from there', async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await seedSearched();
    await page.goto(`${server.url}/`);
    await page.locator('#charts svg').first().waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-status.png'), fullPage: true });

    await page.getByRole('searchbox', { name: 'Find a receipt' }).fill(searched.receiptNo!);
    await page.getByRole('button', { name: 'Find' }).click();
    await page.waitForURL(`${server.url}/receipts/5221565013`);
    await expect(page.locator('h2').first().textContent()).resolves.toContain('Receipt HK202504150434');
    // CRM and K3Cloud text is shown as text, never as markup.
    await expect(page.locator('main b').count()).resolves.toBe(0);
    await expect(page.getByText('<b>locked</b>', { exact: false }).count()).resolves.toBeGreaterThan(0);
    await expect(page.getByText('XSDD000123').first().isVisible()).resolves.toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-receipt.png'), fullPage: true });

    const replayed = `${searched.sourceJobId}-replay1`;
    const done = completion(replayed, 20_000);
    await page.getByRole('button', { name: 'Replay', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Replayed 1 job(s).' }).waitFor({ timeout: 15_000 });
    expect(await done).toEqual({ written: searched.receiptNo });
    expect(page.url()).toBe(`${server.url}/receipts/5221565013`);
    // After the reload the page shows the replayed job and no dead letter left to replay.
    await page.reload();
    await expect(page.locator('main').textContent()).resolves.toContain(replayed);
    await expect(page.getByRole('button', { name: 'Replay', exact: true }).count()).resolves.toBe(0);
  });

  it('asks for a reconcile with fix from the receipt page; the page shows the request waiting', async () => {
    await page.goto(`${server.url}/receipts/5221565013`);
    await page.getByLabel('Fix what it finds').check();
    await page.getByRole('button', { name: 'Reconcile this receipt' }).click();
    await page.getByRole('status').filter({ hasText: 'Reconcile with fix requested' }).waitFor({ timeout: 15_000 });
    const job = await h.queues.reconcile.getJob('reconcile-5221565013');
    expect(job?.data).toMatchObject({ receiptId: '5221565013', fix: true, window: { from: '2025-04-15 17:47:13' } });
    await expect(page.locator('#reconcile').textContent()).resolves.toContain('Waiting');
    await expect(page.getByRole('button', { name: 'Reconcile this receipt' }).isDisabled()).resolves.toBe(true);
  });

  it('refreshes the status page in place every 30 s without losing the scroll position', async () => {
    const fresh = await page.context().newPage();
    try {
      await fresh.clock.install();
      await fresh.setViewportSize({ width: 1360, height: 600 });
      await fresh.goto(`${server.url}/`);
      await fresh.evaluate('window.scrollTo(0, document.body.scrollHeight)');
      const scrolled = Number(await fresh.evaluate('window.scrollY'));
      expect(scrolled).toBeGreaterThan(300);
      await seedDeadLetter(h.queues, deadLetterRecord({ receiptNo: 'HK202504159999' }));
      const jobs = Object.values(await h.queues['dead-letter'].getJobCounts()).reduce((a, b) => a + b, 0);
      await fresh.clock.fastForward(31_000);
      await fresh
        .locator('.cards', { hasText: new RegExp(`\\b${jobs} jobs? in the queue`) })
        .waitFor({ timeout: 10_000 });
      expect(Number(await fresh.evaluate('window.scrollY'))).toBe(scrolled);
    } finally {
      await fresh.close();
    }
  });
});
