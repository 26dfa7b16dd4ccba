import type { HealthServer } from '@receipt-sync/core';
import { RehearsalRequests, totalsOf, type RehearsalReport } from '@receipt-sync/pipeline';
import { createHarness, get, post, type Harness } from './harness';

let h: Harness;
let server: HealthServer;
let rehearsals: RehearsalRequests;

const report: RehearsalReport = {
  window: { start: '2025-05-01 00:00:00', end: '2025-06-01 00:00:00' },
  startedAt: '2025-06-01T01:00:00.000Z',
  finishedAt: '2025-06-01T01:00:05.000Z',
  rows: [
    {
      action: 'update',
      receiptId: '7101',
      receiptNo: 'HK20257101',
      collectionDate: '2025-05-03',
      amount: '100.00',
      currency: 'USD',
      okkiOrderId: '990',
      removedInOkki: false,
      billNo: 'XSDD000990',
      documentStatus: 'C',
      changes: [{ field: 'F_PBLH_Decimal', from: 90, to: '100.00' }],
    },
    {
      action: 'wait',
      reason: 'sales order not found in K3Cloud',
      receiptId: '7102',
      receiptNo: 'HK20257102',
      collectionDate: '2025-05-04',
      amount: '5.00',
      currency: 'USD',
      okkiOrderId: '991',
      removedInOkki: false,
    },
  ],
  totals: totalsOf([{ action: 'update' }, { action: 'wait' }]),
};

beforeAll(async () => {
  h = await createHarness();
  rehearsals = new RehearsalRequests(h.connection, h.prefix);
  server = await h.serveDashboard({ rehearsals });
});
afterAll(() => h.close());

describe('the dashboard starts a rehearsal and shows its report', () => {
  it('guards the request as replay is guarded (login, CSRF header) and checks the window', async () => {
    const bare = await fetch(`${server.url}/api/rehearsal`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(bare.status).toBe(401);
    const noCsrf = await post(`${server.url}/api/rehearsal`, {}, { 'x-requested-with': '' });
    expect(noCsrf.status).toBe(403);
    const bad = await post(`${server.url}/api/rehearsal`, { from: 'yesterday' });
    expect(bad.status).toBe(400);
    expect(await rehearsals.current()).toBeUndefined();
  });

  it('asks once (a second request while it waits is refused), then shows the totals and the report', async () => {
    const asked = await post(`${server.url}/api/rehearsal`, { from: report.window.start, to: report.window.end });
    expect(asked.status).toBe(202);
    expect((await post(`${server.url}/api/rehearsal`, {})).status).toBe(409);
    expect(await (await get(`${server.url}/rehearsal`)).text()).toContain('Waiting for the process');

    // What the active writer's process does (startRehearsalRequests), with a report of two receipts.
    const claimed = await rehearsals.claim();
    expect(claimed?.asked).toEqual({ from: report.window.start, to: report.window.end });
    expect(claimed?.requestedBy).toBe('operator');
    await rehearsals.finish(claimed!.id, { report, labels: { F_PBLH_Decimal: '实到账金额' } });

    const page = await (await get(`${server.url}/rehearsal`)).text();
    expect(page).toContain('Done');
    expect(page).toContain('/rehearsal/report.csv');
    const html = await (await get(`${server.url}/rehearsal/report`)).text();
    expect(html).toContain('HK20257101');
    expect(html).toContain('实到账金额 F_PBLH_Decimal: 90 → 100.00');
    expect(html).toContain('only known by trying');
    const bytes = Buffer.from(await (await get(`${server.url}/rehearsal/report.csv`)).arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // UTF-8 BOM: Excel keeps the Chinese
    const csv = bytes.toString('utf8');
    expect(csv.trimEnd().split('\r\n')).toHaveLength(3);
    const api = (await (await get(`${server.url}/api/rehearsal`)).json()) as { request: { state: string } };
    expect(api.request.state).toBe('done');
  });
});
