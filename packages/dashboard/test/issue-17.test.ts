import type { HealthServer } from '@receipt-sync/core';
import { rawJobId } from '@receipt-sync/pipeline';
import { createHarness, deadLetterRecord, get, seedDeadLetter, type Harness } from './harness';

/** Issue 17's problems as an operator meets them on the English pages (pages-i18n reads the Chinese ones). */
let h: Harness;
let server: HealthServer;
const page = async (path: string) => (await get(`${server.url}${path}`)).text();

beforeAll(async () => {
  h = await createHarness();
  // One receipt dead-lettered twice (two versions): 1 receipt, 2 jobs.
  for (const version of ['2025-04-15 10:00:00', '2025-04-15 11:00:00']) {
    await seedDeadLetter(
      h.queues,
      deadLetterRecord({
        receiptId: '8001',
        receiptNo: 'SKHD8001',
        sourceQueue: 'raw',
        sourceJobId: rawJobId('8001', version, false),
        code: 'k3cloud.order-not-found',
        reason: 'sales order not found in K3Cloud (F_Cash_Collection_Id = 4900000148)',
        attemptsMade: 7,
        payload: {
          windowId: 'w1',
          removed: false,
          fetchedAt: new Date().toISOString(),
          receipt: { cash_collection_id: 8001, update_time: version, order_id: 4900000148, real_amount: '12345.6' },
        },
      }),
    );
  }
  await h.store.ledger.recordOutcome('8001', {
    status: 'dead-lettered',
    receiptNo: 'SKHD8001',
    orderId: '4900000148',
    sourceVersion: '2025-04-15 11:00:00',
    deadLetterId: `dl-${rawJobId('8001', '2025-04-15 11:00:00', false)}`,
    lastError: {
      code: 'k3cloud.order-not-found',
      message: 'sales order not found in K3Cloud (F_Cash_Collection_Id = 4900000148)',
    },
  });
  // Many quarantined receipts: the status page must not list them inline.
  for (let i = 0; i < 60; i++) {
    await seedDeadLetter(
      h.queues,
      deadLetterRecord({
        kind: 'quarantined',
        receiptNo: `SKHDQ${1000 + i}`,
        code: 'receipt.quarantined',
        reason: `receipt SKHDQ${1000 + i}: receipt has no sales order`,
      }),
      'quarantine',
    );
  }
  // A data-quality quarantine: its problems carry catalogue keys, so a Chinese page says them in Chinese.
  const why = [
    {
      key: 'notDecimal',
      params: { value: '"abc"', field: 'real_amount', target: 'F_PBLH_Decimal', no: 'SKHDQ9001', id: 9001 },
    },
  ];
  const english = 'receipt SKHDQ9001 (id 9001): real_amount (→ F_PBLH_Decimal): not a decimal: "abc"';
  await seedDeadLetter(
    h.queues,
    deadLetterRecord({
      kind: 'quarantined',
      receiptId: '9001',
      receiptNo: 'SKHDQ9001',
      code: 'receipt.quarantined',
      reason: english,
      why,
    }),
    'quarantine',
  );
  await h.store.ledger.recordOutcome('9001', {
    status: 'quarantined',
    receiptNo: 'SKHDQ9001',
    orderId: '4900000101',
    sourceVersion: '2025-04-15 10:00:00',
    lastError: { code: 'receipt.quarantined', message: english, why },
  });
  // As the transformer records it before the write: the customer's name from OKKI's version.
  await h.store.ledger.recordOutcome('8002', {
    status: 'pending',
    receiptNo: 'SKHD8002',
    orderId: '4900000100',
    customer: '上海星河贸易有限公司',
    sourceVersion: '2025-04-15 10:00:00',
  });
  await h.store.ledger.recordWritten({
    receiptId: '8002',
    receiptNo: 'SKHD8002',
    orderId: '4900000100',
    sourceVersion: '2025-04-15 10:00:00',
    removed: false,
    contentHash: 'h',
    k3Fid: 100100,
    k3EntryId: 3,
    fields: { F_PBLH_Decimal: 2500000, F_PBLH_Currency: 'CNY', F_PBLH_Remark: null },
  });
  await h.store.audit.append([
    {
      system: 'k3cloud',
      operation: 'BatchSave',
      method: 'POST',
      path: '/k3cloud/BatchSave',
      status: 500,
      durationMs: 90,
      attempt: 1,
      outcome: 'http-error',
      message: 'K3Cloud answered 500',
      at: new Date().toISOString(),
      subjects: ['8001', '4900000148'],
    },
  ]);
  server = await h.serveDashboard();
});
afterAll(() => h.close());

describe('1. next steps, and replay only where it can work', () => {
  it('every dead letter says what to do and where; Replay says what must change first and asks', async () => {
    const list = await page('/dead-letters?queue=dead-letter');
    expect(list).toContain('In K3Cloud:');
    expect(list).toContain('Create the sales order with F_Cash_Collection_Id = 4900000148');
    expect(list).toMatch(/data-confirm="Replay only works once this is done: Create the sales order/);
    expect(list).toContain('Replay (after creating the order 4900000148)');
    // Replay all asks, like Discard and Replay all of this cause.
    expect(list).toMatch(/data-action="replay-all"[^>]*data-confirm="Replay all 2 jobs of this queue\?/);
  });

  it('a receipt without sales order is fixed in OKKI: no Replay button', async () => {
    const list = await page('/dead-letters?queue=quarantine');
    expect(list).toContain('link it to its order in OKKI');
    expect(list).not.toMatch(/data-action="replay"\s/);
    expect(list).toContain('No replay: the fix arrives from OKKI');
  });
});

describe('3. one set of numbers, each naming what it counts', () => {
  it('the card counts receipts like the outcome table, and says how many queue jobs hold them', async () => {
    const status = await page('/');
    expect(status).toMatch(/Dead-lettered receipts<\/div>\s*<div class="value"><a [^>]*>1 receipt<\/a>/);
    expect(status).toContain('2 jobs in the queue (a receipt replayed or seen in several versions has several jobs)');
    expect(status).toContain('Receipts by outcome (receipts, not jobs)');
    expect(await page('/dead-letters?queue=dead-letter')).toContain('2 jobs in the queue');
    expect(await page('/dead-letters?queue=dead-letter&code=k3cloud.order-not-found')).toContain(
      '1 receipt matches the filter',
    );
  });
});

describe('4. the receipt page leads with the money', () => {
  it('a dead-lettered receipt shows the amount from OKKI’s version and the attempts its job made', async () => {
    const receipt = await page('/receipts/8001');
    expect(receipt).toContain('12,345.60');
    expect(receipt).toContain('Values from OKKI’s version (nothing written to K3Cloud yet)');
    expect(receipt).toMatch(/<dt>Attempts<\/dt>\s*<dd>7<\/dd>/);
  });

  it('a written receipt: mapping labels beside the keys, grouped amounts, empty for null', async () => {
    const receipt = await page('/receipts/8002');
    expect(receipt).toContain('CNY 2,500,000.00');
    // The customer comes from the ledger (OKKI's version): K3Cloud's row carries none.
    expect(receipt).toMatch(/<dt>Customer<\/dt>\s*<dd>上海星河贸易有限公司<\/dd>/);
    expect(receipt).toMatch(/实到账金额 <code>F_PBLH_Decimal<\/code>/);
    expect(receipt).toContain('(empty)');
    expect(receipt).not.toMatch(/>null</);
  });
});

describe('5. the Order column', () => {
  it('is filled in the default (unfiltered) dead-letter list from the parked receipt', async () => {
    expect(await page('/dead-letters?queue=dead-letter')).toMatch(/<a href="\/receipts\/4900000148">4900000148<\/a>/);
  });
});

describe('6. navigation', () => {
  it('every page links status, both lists, causes, search and Bull Board; /receipts is a search page', async () => {
    for (const path of ['/', '/receipts/8002', '/causes']) {
      const html = await page(path);
      for (const href of [
        '/',
        '/dead-letters?queue=dead-letter',
        '/dead-letters?queue=quarantine',
        '/causes',
        '/queues',
      ])
        expect(html).toContain(`href="${href}"`);
    }
    const search = await get(`${server.url}/receipts`);
    expect(search.status).toBe(200);
    expect(await search.text()).toContain('Find a receipt');
  });

  it('Bull Board links back to our pages, hides the worker count, and shows China time', async () => {
    const board = await page('/queues');
    expect(board).toContain('"showWorkers":false');
    expect(board).toContain('Dead letters');
    expect(board).toContain('"timeZone":"Asia/Shanghai"');
    expect(board).toContain('"hour12":false');
  });
});

describe('7. times', () => {
  it('date filters ask for a China date as text (no mm/dd/yyyy picker); the zone is said once per page', async () => {
    const list = await page('/dead-letters?queue=dead-letter');
    expect(list).not.toContain('type="date"');
    expect(list).toMatch(/name="from"[^>]*placeholder="YYYY-MM-DD"/);
    expect(list.match(/Asia\/Shanghai/g)).toHaveLength(1);
  });
});

describe('8. a status page that fits a screen', () => {
  it('lists no dead letter or quarantined receipt inline, hides empty window columns, names a failed call’s receipt', async () => {
    const status = await page('/');
    expect(status).not.toContain('SKHDQ1001');
    expect(status).not.toContain('data-action="replay-all"');
    expect(status).toContain('href="/receipts/8001"');
    expect(status).toContain('<code>HTTP 500</code>');
    expect(Buffer.byteLength(status)).toBeLessThan(40_000);
  });
});

describe('data-quality reasons in the page’s language', () => {
  const chinese = '回款单 SKHDQ9001（id 9001），real_amount（→ F_PBLH_Decimal）：不是小数：&quot;abc&quot;'; // as HTML escapes it
  it('the quarantine list and the receipt page say a quarantined receipt’s problem in Chinese', async () => {
    const zh = await h.serveDashboard({ locale: 'zh-CN' });
    try {
      const list = await (await get(`${zh.url}/dead-letters?queue=quarantine`)).text();
      expect(list).toContain(chinese);
      const receipt = await (await get(`${zh.url}/receipts/9001`)).text();
      expect(receipt).toContain(chinese);
      expect(receipt).not.toContain('not a decimal');
    } finally {
      await zh.close();
    }
    // The English page says it from the same keys.
    expect(await page('/receipts/9001')).toContain('real_amount (→ F_PBLH_Decimal) of receipt SKHDQ9001 (id 9001)');
  });
});
