import { Router } from 'express';
import { createAlerter } from '../src/alerts';
import type { ApiCallRecord } from '@receipt-sync/core';
import { formatChinaTime } from '@receipt-sync/core';
import type { HealthServer } from '@receipt-sync/core';
import { StuckReceiptsReport } from '@receipt-sync/pipeline';
import { createDashboard, type DashboardStatus } from '../src';
import {
  createHarness,
  deadLetterRecord,
  get,
  PASSWORD,
  recordingLogger,
  seedDeadLetter,
  USER,
  type Harness,
} from './harness';

let h: Harness;
let server: HealthServer;
const HOSTILE_NO = '<script>alert(1)</script>';

function call(
  operation: string,
  outcome: ApiCallRecord['outcome'],
  secondsAgo: number,
  message?: string,
): ApiCallRecord {
  return {
    system: 'k3cloud',
    operation,
    method: 'POST',
    path: `/k3cloud/${operation}`,
    durationMs: 12,
    attempt: 1,
    outcome,
    at: new Date(Date.now() - secondsAgo * 1000).toISOString(),
    ...(message ? { message } : {}),
  };
}

beforeAll(async () => {
  h = await createHarness();
  const { store } = h;
  await store.checkpoints.advance('receipts', formatChinaTime(new Date(Date.now() - 600_000)), undefined);
  await store.windows.open({
    id: 'w-old',
    start: '2025-04-15 10:00:00',
    end: '2025-04-15 10:05:00',
    startedAt: new Date(Date.now() - 120_000),
  });
  await store.windows.update('w-old', { status: 'completed', counts: { fetched: 3, written: 2, unchanged: 1 } });
  await store.windows.open({
    id: 'w-new',
    start: '2025-04-15 10:05:00',
    end: '2025-04-15 10:10:00',
    startedAt: new Date(Date.now() - 60_000),
  });
  await store.windows.update('w-new', { status: 'failed', error: 'OKKI answered 503' });
  for (const id of ['11', '12']) {
    await store.ledger.recordOutcome(id, {
      status: 'dead-lettered',
      receiptNo: `SKHD${id}`,
      lastError: { code: 'k3cloud.order-not-found', message: 'sales order not found in K3Cloud' },
    });
  }
  await store.ledger.recordOutcome('13', { status: 'unchanged', receiptNo: 'SKHD13' });
  await store.audit.append([
    call('BatchSave', 'ok', 30),
    call('BatchSave', 'timeout', 20, 'no answer in 120 s'),
    call('ExecuteBillQuery', 'ok', 10),
    call('ValidateUser', 'business-error', 5, 'wrong password'),
  ]);
  await seedDeadLetter(
    h.queues,
    deadLetterRecord({ receiptNo: HOSTILE_NO, reason: 'bad <img src=x onerror=alert(2)> value' }),
  );

  const alerter = createAlerter({ targets: [], logger: recordingLogger() });
  await alerter.raise({
    key: 'checkpoint-lag',
    title: 'Sync checkpoint is lagging',
    detail: '10 min behind',
    severity: 'warning',
  });
  server = await h.serve(
    createDashboard({
      queues: h.queues,
      store,
      logger: h.logger,
      alerter,
      auth: { username: USER, password: PASSWORD, localOnly: false },
      locale: 'en',
    }),
  );
});
afterAll(() => h.close());

describe('GET /api/status', () => {
  it('reports checkpoint and lag, windows, queue counts, ledger outcomes, errors, alerts and failed calls', async () => {
    const s = (await (await get(`${server.url}/api/status`)).json()) as DashboardStatus;
    expect(s.checkpoint).toMatchObject({ stream: 'receipts' });
    expect(s.checkpoint!.lagSeconds).toBeGreaterThanOrEqual(600);
    expect(s.checkpoint!.lagSeconds).toBeLessThan(660);
    expect(s.windows.map((w) => [w.id, w.status])).toEqual([
      ['w-new', 'failed'],
      ['w-old', 'completed'],
    ]);
    expect(Object.keys(s.queues).sort()).toEqual([
      'dead-letter',
      'push',
      'quarantine',
      'raw',
      'ready',
      'reconcile',
      'windows',
    ]);
    expect(s.queues['dead-letter']).toMatchObject({ wait: 1, active: 0, failed: 0 });
    expect(s.ledger).toEqual({ pending: 0, written: 0, unchanged: 1, quarantined: 0, 'dead-lettered': 2 });
    expect(s.errors).toEqual([expect.objectContaining({ code: 'k3cloud.order-not-found', count: 2 })]);
    expect(s.incidents).toEqual([expect.objectContaining({ key: 'checkpoint-lag', severity: 'warning' })]);
    expect(s.failedCalls.map((c) => [c.operation, c.outcome])).toEqual([
      ['ValidateUser', 'business-error'],
      ['BatchSave', 'timeout'],
    ]);
  });

  it('reports incidents as null when this process runs no alerter', async () => {
    const plain = await h.serve(
      createDashboard({
        queues: h.queues,
        store: h.store,
        logger: h.logger,
        auth: { username: USER, password: PASSWORD, localOnly: false },
        locale: 'en',
      }),
    );
    const s = (await (await get(`${plain.url}/api/status`)).json()) as DashboardStatus;
    expect(s.incidents).toBeNull();
    expect(s.stuck).toBeNull();
  });

  it("reports the stuck-receipts sweeper's last sweep, in the API and as a card on the page", async () => {
    const report = new StuckReceiptsReport(h.connection, h.prefix);
    const sample = { receiptId: '7001', version: '2025-04-15 10:00:00', removed: false, result: 'redriven' as const };
    await report.save({ at: new Date().toISOString(), stuckSeconds: 900, stuck: 2, redriven: 1, samples: [sample] });
    const withStuck = await h.serveDashboard({ stuck: report });
    const s = (await (await get(`${withStuck.url}/api/status`)).json()) as DashboardStatus;
    expect(s.stuck).toMatchObject({ stuck: 2, redriven: 1, stuckSeconds: 900, samples: [sample] });
    const page = await (await get(`${withStuck.url}/`)).text();
    expect(page).toContain('Stuck receipts');
    expect(page).toContain('1 re-queued from OKKI');
  });
});

describe('GET / (the human page)', () => {
  let page: string;
  let list: string;
  let res: Response;
  beforeAll(async () => {
    res = await get(`${server.url}/`);
    page = await res.text();
    list = await (await get(`${server.url}/dead-letters?queue=dead-letter`)).text();
  });

  it('escapes receipt numbers and reasons instead of running them', () => {
    expect(list).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(list).not.toContain(HOSTILE_NO);
    expect(list).toContain('bad &lt;img src=x onerror=alert(2)&gt; value');
    expect(page).not.toContain(HOSTILE_NO);
    // Exactly one script element: ours, carrying the CSP nonce.
    expect(page.match(/<script/g)).toHaveLength(1);
    const nonce = /<script nonce="([^"]+)">/.exec(page)?.[1];
    expect(res.headers.get('content-security-policy')).toContain(`script-src 'nonce-${nonce}'`);
  });

  it('shows the status tables, links the lists and Bull Board; the list has Replay per dead letter', () => {
    expect(page).toContain('href="/dead-letters?queue=dead-letter"');
    expect(page).toContain('href="/queues"');
    expect(list).toContain('1 job in the queue');
    expect(list).toMatch(/data-action="replay"\s+data-queue="dead-letter"/);
    expect(list).toMatch(/data-action="replay-all"\s+data-queue="dead-letter"/);
    expect(page).toContain('k3cloud.order-not-found');
    expect(page).toContain('OKKI answered 503');
    expect(page).toContain('Sync checkpoint is lagging');
    expect(page).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/);
  });
});

describe('mounted under a base path', () => {
  it('links the page, its API calls and Bull Board assets under that path', async () => {
    const dashboard = createDashboard({
      queues: h.queues,
      store: h.store,
      logger: h.logger,
      basePath: '/ops/',
      auth: { username: USER, password: PASSWORD, localOnly: false },
      locale: 'en',
    });
    const mounted = await h.serve(Router().use('/ops', dashboard));
    const page = await (await get(`${mounted.url}/ops/`)).text();
    expect(page).toContain('href="/ops/queues"');
    expect(page).toContain('data-base="/ops"');
    const board = await (await get(`${mounted.url}/ops/queues`)).text();
    expect(board).toContain('<base href="/ops/queues/" />');
    expect((await get(`${mounted.url}/ops/queues/api/queues`)).status).toBe(200);
  });
});
