import { registerSecret, type HealthServer } from '@receipt-sync/core';
import { rawJobId } from '@receipt-sync/pipeline';
import { SERIES, TimeSeries } from '@receipt-sync/store';
import { basic, createHarness, deadLetterRecord, get, post, seedDeadLetter, type Harness } from './harness';

let h: Harness;
let server: HealthServer;
const V1 = '2025-04-15 17:47:13';
const V2 = '2025-04-16 09:00:00';
const HOSTILE = '<img src=x onerror=alert(3)>';
const NO_ORDER = 'k3cloud.order-not-found';

/** A receipt dead-lettered by the writer, as the pipeline leaves it: ledger entry, version, dead letter. */
async function deadLettered(id: string, orderId: string, minute: number): Promise<string> {
  const record = deadLetterRecord({
    receiptId: id,
    receiptNo: `HK2025${id}`,
    sourceJobId: `ready-${id}-20250415174713-active`,
    code: NO_ORDER,
    reason: `receipt HK2025${id}: receipt has no sales order`,
  });
  const dlId = await seedDeadLetter(h.queues, record);
  await h.store.history.record([{ receiptId: id, updateTime: V1, removed: false, source: 'window', windowId: 'w-1' }]);
  await h.store.ledger.recordOutcome(id, {
    status: 'dead-lettered',
    receiptNo: `HK2025${id}`,
    orderId,
    sourceVersion: V1,
    deadLetterId: dlId,
    lastError: { code: NO_ORDER, message: record.reason, at: new Date(Date.UTC(2025, 3, 15, 9, minute)) },
  });
  return dlId;
}

beforeAll(async () => {
  h = await createHarness();
  const { store } = h;
  for (const [i, id] of ['5001', '5002', '5003'].entries()) await deadLettered(id, '880', i);
  // A written receipt with two versions, one of them pushed, and CRM text that must not run.
  await store.history.record([
    { receiptId: '6001', updateTime: V1, removed: false, source: 'window', windowId: 'w-1' },
    { receiptId: '6001', updateTime: V2, removed: false, source: 'push' },
  ]);
  await store.orders.put('990', { fid: 100990, billNo: 'XSDD000990' }, 60_000);
  await store.ledger.recordWritten({
    receiptId: '6001',
    receiptNo: 'HK20256001',
    orderId: '990',
    sourceVersion: V2,
    removed: false,
    contentHash: 'hash-6001',
    k3Fid: 100990,
    k3EntryId: 7001,
    fields: { F_PBLH_Amount: 1250.5, F_PBLH_Remark: HOSTILE },
  });
  await store.ledger.recordOutcome('6002', { status: 'pending', receiptNo: 'HK20256002', orderId: '990' });
  const call = (operation: string, second: number, subjects: string[]) => ({
    system: 'k3cloud' as const,
    operation,
    method: 'POST',
    path: `/k3cloud/${operation}`,
    durationMs: 40,
    attempt: 1,
    outcome: 'ok' as const,
    at: new Date(Date.UTC(2025, 3, 16, 1, 0, second)).toISOString(),
    subjects,
  });
  await store.audit.append([
    call('ExecuteBillQuery', 1, ['990']),
    call('BatchSave', 2, ['6001', '990']),
    call('BatchSave', 3, ['7777', '880']),
  ]);
  const series = new TimeSeries(h.connection, h.prefix);
  await series.add(SERIES.written, 4);
  await series.sample(SERIES.checkpointLag, 300);
  server = await h.serveDashboard({ series });
});
afterAll(() => h.close());

describe('GET /api/receipts/:key', () => {
  it('answers a receipt number with its whole path: versions, jobs, K3Cloud order and row', async () => {
    const res = await get(`${server.url}/api/receipts/HK20256001`);
    expect(res.status).toBe(200);
    const { kind, receipt } = (await res.json()) as { kind: string; receipt: Record<string, unknown> };
    expect(kind).toBe('receipt');
    expect(receipt).toMatchObject({
      receiptId: '6001',
      receiptNo: 'HK20256001',
      outcome: 'written',
      order: { orderId: '990', fid: 100990, billNo: 'XSDD000990', cached: 'hit' },
      row: { fid: 100990, entryId: 7001, fields: { F_PBLH_Amount: 1250.5, F_PBLH_Remark: HOSTILE } },
      versions: [
        { updateTime: V2, source: 'push', removed: false },
        { updateTime: V1, source: 'window', windowId: 'w-1' },
      ],
      reconcileCommand: `npm run cli -- reconcile --from '${V2}' --to '${V2}'`,
    });
    // Its order look-up and the BatchSave that wrote it, once each; not other receipts' calls.
    expect((receipt.calls as Array<{ operation: string; about: string }>).map((c) => [c.operation, c.about])).toEqual([
      ['BatchSave', 'receipt'],
      ['ExecuteBillQuery', 'order'],
    ]);
    expect(receipt.replay).toBeUndefined();
  });

  it('answers a dead-lettered receipt id with its dead letter, reason and replay action', async () => {
    const res = await get(`${server.url}/api/receipts/5002`);
    const { receipt } = (await res.json()) as { receipt: Record<string, unknown> };
    expect(receipt).toMatchObject({
      outcome: 'dead-lettered',
      reason: { code: NO_ORDER, message: 'receipt HK20255002: receipt has no sales order' },
      replay: { queue: 'dead-letter', deadLetterId: 'dl-ready-5002-20250415174713-active' },
      jobs: [{ queue: 'dead-letter', id: 'dl-ready-5002-20250415174713-active', state: 'waiting', code: NO_ORDER }],
    });
  });

  it('answers a K3Cloud order number or an OKKI order id with the order and its receipts', async () => {
    const byBill = (await (await get(`${server.url}/api/receipts/XSDD000990`)).json()) as Record<string, unknown>;
    expect(byBill).toMatchObject({ kind: 'order', orderId: '990', billNo: 'XSDD000990' });
    expect((byBill.receipts as Array<{ receiptId: string }>).map((r) => r.receiptId)).toEqual(['6001', '6002']);
    const byOrder = (await (await get(`${server.url}/api/receipts/880`)).json()) as Record<string, unknown>;
    expect((byOrder.receipts as Array<{ receiptId: string }>).map((r) => r.receiptId)).toEqual([
      '5001',
      '5002',
      '5003',
    ]);
  });

  it('scrubs configured secrets out of upstream error text', async () => {
    registerSecret('tok-Secret-998877');
    await h.store.ledger.recordOutcome('6003', {
      status: 'pending',
      receiptNo: 'HK20256003',
      lastError: { code: 'k3cloud.http', message: 'K3Cloud answered 500 for session tok-Secret-998877' },
    });
    const text = await (await get(`${server.url}/api/receipts/6003`)).text();
    expect(text).toContain('K3Cloud answered 500 for session');
    expect(text).not.toContain('tok-Secret-998877');
  });

  it('answers 404 for an unknown key and 401 without credentials', async () => {
    const res = await get(`${server.url}/api/receipts/HK404`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ code: 'receipt.no-match', error: 'no receipt or order matches "HK404"' });
    expect((await get(`${server.url}/api/receipts/HK20256001`, {})).status).toBe(401);
    expect((await get(`${server.url}/receipts/6001`, {})).status).toBe(401);
  });
});

describe('API error texts follow the request’s language; the code does not', () => {
  it('Accept-Language and the switch’s cookie choose it, DASHBOARD_LOCALE pins it', async () => {
    const open = await h.serveDashboard({ locale: undefined });
    const pinned = await h.serveDashboard({ locale: 'zh-CN' });
    try {
      const ask = async (url: string, headers: Record<string, string>) => {
        const res = await get(`${url}/api/receipts/HK404`, { authorization: basic(), ...headers });
        expect(res.status).toBe(404);
        return res.json();
      };
      const zh = { code: 'receipt.no-match', error: '没有与 "HK404" 匹配的回款单或订单' };
      const en = { code: 'receipt.no-match', error: 'no receipt or order matches "HK404"' };
      expect(await ask(open.url, { 'accept-language': 'zh-CN,zh;q=0.9' })).toEqual(zh);
      expect(await ask(open.url, { 'accept-language': 'en-US,en;q=0.9' })).toEqual(en);
      expect(await ask(open.url, { 'accept-language': 'zh-CN', cookie: 'rs_lang=en' })).toEqual(en);
      expect(await ask(open.url, {})).toEqual(zh);
      expect(await ask(pinned.url, { 'accept-language': 'en-US' })).toEqual(zh);
      // The API answers in the asked language without the pages' redirect.
      const viaQuery = await get(`${open.url}/api/receipts/HK404?lang=en`, { authorization: basic() });
      expect(viaQuery.status).toBe(404);
    } finally {
      await Promise.all([open.close(), pinned.close()]);
    }
  });
});

describe('receipt pages', () => {
  it('search by receipt number redirects to the receipt page, which escapes CRM text', async () => {
    const res = await fetch(`${server.url}/receipts?q=${encodeURIComponent(' HK20256001 ')}`, {
      headers: { authorization: basic() },
      redirect: 'manual',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/receipts/6001');
    const page = await (await get(`${server.url}/receipts/6001`)).text();
    expect(page).toContain('Receipt HK20256001');
    expect(page).toContain('XSDD000990');
    expect(page).toContain('F_PBLH_Remark');
    expect(page).toContain('&lt;img src=x onerror=alert(3)&gt;');
    expect(page).not.toContain(HOSTILE);
  });

  it('shows an order page for an order number and a 404 page for nothing', async () => {
    const order = await get(`${server.url}/receipts?q=XSDD000990`);
    expect(order.status).toBe(200);
    expect(await order.text()).toMatch(/OKKI order 990 · XSDD000990 ·\s+2 receipts/);
    const none = await get(`${server.url}/receipts?q=${encodeURIComponent('<b>nope</b>')}`);
    expect(none.status).toBe(404);
    expect(await none.text()).toContain('&lt;b&gt;nope&lt;/b&gt;');
  });
});

describe('errors grouped by cause', () => {
  it('shows one group for one cause across receipts, and replays all of it', async () => {
    const page = await (await get(`${server.url}/`)).text();
    // One wording per reason (said once, not as template and again as "latest"), with its next step.
    expect(page.match(/receipt has no sales order/g)).toHaveLength(1);
    expect(page).toContain('Create the sales order with F_Cash_Collection_Id =');
    expect(page).toMatch(/Receipts<\/th>/);
    const status = (await (await get(`${server.url}/api/status`)).json()) as {
      errors: Array<{ cause: string; count: number; template: string }>;
    };
    const group = status.errors.find((e) => e.template === 'receipt #: receipt has no sales order');
    expect(group).toMatchObject({ count: 3, code: 'k3cloud.order-not-found' });
    const cause = group!.cause;
    expect(page).toContain(`data-action="replay-cause"`);

    expect((await post(`${server.url}/api/causes/${cause}/replay`, {}, { 'x-requested-with': '' })).status).toBe(403);
    const res = await post(`${server.url}/api/causes/${cause}/replay`, {});
    expect(res.status).toBe(200);
    const result = (await res.json()) as { replayed: Array<{ newJobId: string }>; notReplayable: number };
    expect(result.replayed.map((r) => r.newJobId).sort()).toEqual([
      'ready-5001-20250415174713-active-replay1',
      'ready-5002-20250415174713-active-replay1',
      'ready-5003-20250415174713-active-replay1',
    ]);
    expect(result.notReplayable).toBe(0);
    expect(await h.queues.ready.getJob('ready-5001-20250415174713-active-replay1')).toBeDefined();
    expect(await h.queues['dead-letter'].count()).toBe(0);
    expect((await post(`${server.url}/api/causes/not-a-cause/replay`, {})).status).toBe(400);
  });
});

describe('charts', () => {
  it('draws the last 24 h as inline SVG, with no external asset', async () => {
    const page = await (await get(`${server.url}/`)).text();
    expect(page).toContain('Receipts written per minute');
    expect(page).toContain('Checkpoint lag');
    expect(page).toMatch(/<svg viewBox="0 0 640 170"/);
    expect(page).toMatch(/<polyline points="[\d., ]+"/);
    expect(page).toContain('data-refresh');
    expect(page).not.toMatch(/<script src=|<link /);
  });
});

describe('the trace of a receipt (tracing on)', () => {
  const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

  it('shows each job’s trace id, linked to the tracing backend by TRACE_URL_TEMPLATE', async () => {
    // A raw job as a tracing producer adds it: bullmq-otel keeps the W3C context in the job's options.
    const data = { windowId: 'w-1', removed: false, fetchedAt: '2025-04-16T01:00:00Z', receipt: {} };
    await h.queues.raw.add('receipt', data as never, {
      jobId: rawJobId('6001', V2, false),
      telemetry: { metadata: JSON.stringify({ traceparent: `00-${TRACE}-00f067aa0ba902b7-01` }) },
    });
    const linked = await h.serveDashboard({ traceUrlTemplate: 'http://jaeger.internal:16686/trace/{traceId}' });
    try {
      const api = (await (await get(`${linked.url}/api/receipts/6001`)).json()) as {
        receipt: { jobs: Array<{ traceId?: string }> };
      };
      expect(api.receipt.jobs.map((j) => j.traceId)).toContain(TRACE);
      const page = await (await get(`${linked.url}/receipts/6001`)).text();
      expect(page).toContain(
        `<a href="http://jaeger.internal:16686/trace/${TRACE}" rel="noreferrer"><code>${TRACE}</code></a>`,
      );
    } finally {
      await linked.close();
    }
    // Without a template the id is shown, not linked.
    const plain = await (await get(`${server.url}/receipts/6001`)).text();
    expect(plain).toContain(`<code>${TRACE}</code>`);
    expect(plain).not.toContain(`/trace/${TRACE}`);
  });
});
