import type { HealthServer } from '@receipt-sync/core';
import { createHarness, deadLetterRecord, get, seedDeadLetter, type Harness } from './harness';

let h: Harness;
let server: HealthServer;

interface ListJson {
  total: number;
  page: number;
  source: string;
  rows: Array<{ receiptId: string; code: string; deadLetterId?: string }>;
}

beforeAll(async () => {
  h = await createHarness();
  // 120 receipts dead-lettered over two China days, two codes, two orders; 60 of them in the queue too.
  for (let i = 0; i < 120; i += 1) {
    const id = String(10_000 + i);
    const at = new Date(Date.UTC(2025, 3, 15, 0, 0) + i * 30 * 60_000); // every 30 min from 08:00 China time
    await h.store.ledger.recordOutcome(id, {
      status: 'dead-lettered',
      receiptNo: `HK${id}`,
      orderId: i % 10 === 0 ? '77' : '78',
      deadLetterId: `dl-ready-${id}-20250415000000-active`,
      lastError: {
        code: i % 3 === 0 ? 'k3cloud.save-failed' : 'k3cloud.order-not-found',
        message: `receipt ${id}`,
        at,
      },
    });
    if (i < 60)
      await seedDeadLetter(
        h.queues,
        deadLetterRecord({ receiptId: id, sourceJobId: `ready-${id}-20250415000000-active` }),
      );
  }
  server = await h.serveDashboard();
});
afterAll(() => h.close());

const list = async (query: string) => (await (await get(`${server.url}/api/failures?${query}`)).json()) as ListJson;

describe('dead-letter and quarantine lists', () => {
  it('pages the queue itself 50 a page with its exact total when unfiltered', async () => {
    const first = await list('queue=dead-letter');
    expect(first).toMatchObject({ total: 60, page: 1, source: 'queue' });
    expect(first.rows).toHaveLength(50);
    const second = await list('queue=dead-letter&page=2');
    expect(second.rows).toHaveLength(10);
    expect(new Set([...first.rows, ...second.rows].map((r) => r.receiptId)).size).toBe(60);
  });

  it('filters by code, order and China date with exact totals, newest first', async () => {
    const byCode = await list('queue=dead-letter&code=k3cloud.save-failed');
    expect(byCode).toMatchObject({ total: 40, source: 'ledger' });
    expect(byCode.rows[0]).toMatchObject({ receiptId: '10117', code: 'k3cloud.save-failed' });
    const byOrder = await list('queue=dead-letter&order=77');
    expect(byOrder.total).toBe(12);
    // 2025-04-15 China time: 08:00 … 23:30 = 32 half hours; of those, code save-failed every third.
    const oneDay = await list('queue=dead-letter&from=2025-04-15&to=2025-04-15');
    expect(oneDay.total).toBe(32);
    const combined = await list('queue=dead-letter&from=2025-04-16&code=k3cloud.order-not-found&page=2');
    expect(combined.total).toBe(59);
    expect(combined.rows).toHaveLength(9);
    expect(await list('queue=quarantine&code=k3cloud.save-failed')).toMatchObject({ total: 0, rows: [] });
  });

  it('renders the filtered list with a pager and refuses a malformed filter', async () => {
    const page = await (await get(`${server.url}/dead-letters?queue=dead-letter&code=k3cloud.order-not-found`)).text();
    expect(page).toContain('80 receipts match the filter');
    expect(page).toContain('1–50 of 80 · page 1 of 2');
    expect(page).toContain('/dead-letters?queue=dead-letter&amp;code=k3cloud.order-not-found&amp;page=2');
    expect((await get(`${server.url}/dead-letters?from=15-04-2025`)).status).toBe(400);
    expect((await get(`${server.url}/api/failures?page=0`)).status).toBe(400);
  });
});
