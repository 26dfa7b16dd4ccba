import { Worker } from 'bullmq';
import type { HealthServer } from '@receipt-sync/core';
import { createRedisConnection } from '@receipt-sync/pipeline';
import type { ReconcileState } from '../src';
import { createHarness, get, post, REDIS_URL, waitFor, type Harness } from './harness';

let h: Harness;
let server: HealthServer;
const V = '2025-04-15 17:47:13';

async function written(receiptId: string): Promise<void> {
  await h.store.ledger.recordWritten({
    receiptId,
    receiptNo: `HK2025${receiptId}`,
    orderId: '990',
    sourceVersion: V,
    removed: false,
    contentHash: `hash-${receiptId}`,
    k3Fid: 100990,
    k3EntryId: Number(receiptId) + 1000,
    fields: { F_PBLH_Amount: 10 },
  });
}

const ask = (key: string, body: unknown = {}, headers: Record<string, string> = {}) =>
  post(`${server.url}/api/receipts/${encodeURIComponent(key)}/reconcile`, body, headers);

async function stateOf(receiptId: string): Promise<ReconcileState | undefined> {
  const res = await get(`${server.url}/api/receipts/${receiptId}`);
  return ((await res.json()) as { receipt: { reconcile?: ReconcileState } }).receipt.reconcile;
}

const page = async (receiptId: string) => (await get(`${server.url}/receipts/${receiptId}`)).text();

beforeAll(async () => {
  h = await createHarness();
  for (const id of ['7101', '7102', '7103', '7104']) await written(id);
  // Known to the ledger, but no version yet: nothing to reconcile.
  await h.store.ledger.recordOutcome('7199', { status: 'pending', receiptNo: 'HK20257199', orderId: '990' });
  server = await h.serveDashboard();
});
afterAll(() => h.close());

describe('POST /api/receipts/:key/reconcile', () => {
  it('queues one request for the receipt’s version; a second one while it waits is refused', async () => {
    const res = await ask('HK20257101', { fix: true });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ jobId: 'reconcile-7101', state: 'waiting' });
    const job = await h.queues.reconcile.getJob('reconcile-7101');
    expect(job?.data).toMatchObject({
      receiptId: '7101',
      receiptNo: 'HK20257101',
      window: { from: V, to: V },
      fix: true,
      requestedBy: 'operator',
    });
    expect(h.logger.lines.some((l) => l.msg === 'dashboard: reconcile of receipt HK20257101 requested')).toBe(true);

    const again = await ask('7101');
    expect(again.status).toBe(409);
    expect(await again.json()).toEqual({
      code: 'reconcile.running',
      error: 'a reconcile of this receipt is already running',
      jobId: 'reconcile-7101',
    });
    expect(await stateOf('7101')).toMatchObject({ state: 'waiting', fix: true, unattended: false });
    const html = await page('7101');
    expect(html).toContain('<strong>Waiting</strong>');
    expect(html).toMatch(/<button type="submit" disabled>\s*Reconcile this receipt/);
    expect(html).toContain(`npm run cli -- reconcile --from &#39;${V}&#39; --to &#39;${V}&#39;`);
  });

  it('answers 404 for an unknown receipt, 400 for a bad body and 409 for a receipt without a version', async () => {
    const unknown = await ask('HK404');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ code: 'receipt.not-found', error: 'no receipt matches "HK404"' });
    expect((await ask('7102', { fix: 'yes' })).status).toBe(400);
    const noVersion = await ask('7199');
    expect(noVersion.status).toBe(409);
    expect(await noVersion.json()).toEqual({
      code: 'reconcile.no-version',
      error: 'no version of this receipt is known yet; nothing to reconcile',
    });
    expect((await get(`${server.url}/api/receipts/7102/reconcile`)).status).toBe(405);
    expect(await h.queues.reconcile.getJob('reconcile-7102')).toBeUndefined();
  });

  it('needs the login and the CSRF proof, like replay', async () => {
    expect((await ask('7102', {}, { authorization: '' })).status).toBe(401);
    expect((await ask('7102', {}, { 'x-requested-with': '' })).status).toBe(403);
    expect((await ask('7102', {}, { 'x-requested-with': '', origin: 'https://evil.example' })).status).toBe(403);
    expect(await h.queues.reconcile.getJob('reconcile-7102')).toBeUndefined();
  });
});

describe('the receipt page’s reconcile section', () => {
  it('offers the action with the fix checkbox and the CLI command when nothing was asked yet', async () => {
    const html = await page('7102');
    expect(html).toContain('action="/api/receipts/7102/reconcile"');
    expect(html).toContain('Fix what it finds (send the receipt through the');
    expect(html).toContain('Not reconciled from this page yet.');
  });

  it('says in plain words when no process takes reconcile requests', async () => {
    // A request queued two minutes ago that nobody took (no producer with both APIs' settings).
    await h.queues.reconcile.add(
      'reconcile',
      {
        receiptId: '7103',
        receiptNo: 'HK20257103',
        window: { from: V, to: V },
        fix: false,
        requestedAt: new Date(Date.now() - 120_000).toISOString(),
      },
      { jobId: 'reconcile-7103', timestamp: Date.now() - 120_000 },
    );
    expect(await stateOf('7103')).toMatchObject({ state: 'waiting', unattended: true });
    expect(await page('7103')).toContain('No process is taking reconcile requests.');
  });

  it('shows a failed request with its reason, and a new request replaces it', async () => {
    const connection = createRedisConnection(REDIS_URL);
    // Stands in for a producer whose OKKI calls fail: the request fails after its two attempts (5 s apart).
    const worker = new Worker(
      'reconcile',
      async () => {
        throw new Error('OKKI answered 503 three times');
      },
      { connection, prefix: h.prefix },
    );
    try {
      expect((await ask('7104')).status).toBe(202);
      // Between its two attempts the page says why it retries.
      const retrying = await waitFor('the first attempt to fail', async () => {
        const s = await stateOf('7104');
        return s?.state === 'waiting' && s.error ? s : undefined;
      });
      expect(retrying.error).toBe('attempt 1 failed, retrying: OKKI answered 503 three times');
      const failed = await waitFor(
        'the request to fail',
        async () => {
          const s = await stateOf('7104');
          return s?.state === 'failed' ? s : undefined;
        },
        20_000,
      );
      expect(failed).toMatchObject({ error: 'OKKI answered 503 three times' });
      expect(failed.finishedAt).toBeDefined();
      const html = await page('7104');
      expect(html).toContain('Failed');
      expect(html).toContain('OKKI answered 503 three times');
    } finally {
      await worker.close();
      await connection.quit();
    }
    expect((await ask('7104')).status).toBe(202);
    expect(await stateOf('7104')).toMatchObject({ state: 'waiting' });
  }, 30_000);
});
