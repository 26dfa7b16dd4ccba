import type { HealthServer } from '@receipt-sync/core';
import { K3CloudAttention } from '@receipt-sync/pipeline';
import { createDashboard, type DashboardStatus } from '../src';
import { createHarness, get, PASSWORD, USER, type Harness } from './harness';

let h: Harness;
let server: HealthServer;
let attention: K3CloudAttention;

beforeAll(async () => {
  h = await createHarness();
  attention = new K3CloudAttention(h.connection, h.prefix);
  server = await h.serve(
    createDashboard({
      queues: h.queues,
      store: h.store,
      logger: h.logger,
      attention,
      locale: 'en',
      auth: { username: USER, password: PASSWORD, localOnly: false },
    }),
  );
});
afterAll(() => h.close());

describe('K3Cloud banner at the top of the status page', () => {
  it('shows nothing while the metadata preflight passes and no order is left un-audited', async () => {
    await attention.setMetadata({
      ok: true,
      formId: 'SAL_SaleOrder',
      unknownKeys: [],
      checkedAt: new Date().toISOString(),
    });
    const s = (await (await get(`${server.url}/api/status`)).json()) as DashboardStatus;
    expect(s.k3cloud).toMatchObject({ metadata: { ok: true }, unauditedOrders: [] });
    expect(await (await get(`${server.url}/`)).text()).not.toContain('class="banner"');
  });

  it('names every unknown key and every order left un-audited, above everything else', async () => {
    await attention.setMetadata({
      ok: false,
      formId: 'SAL_SaleOrder',
      unknownKeys: ['F_PBLH_Bank', 'F_PBLH_Freight'],
      checkedAt: new Date().toISOString(),
    });
    await attention.markUnaudited({ fid: 100012, billNo: 'XSDD000012', reason: 're-audit failed' });
    const s = (await (await get(`${server.url}/api/status`)).json()) as DashboardStatus;
    expect(s.k3cloud.metadata).toMatchObject({ ok: false, unknownKeys: ['F_PBLH_Bank', 'F_PBLH_Freight'] });
    expect(s.k3cloud.unauditedOrders).toEqual([expect.objectContaining({ billNo: 'XSDD000012', fid: 100012 })]);
    const page = await (await get(`${server.url}/`)).text();
    const banner = page.indexOf('class="banner"');
    expect(banner).toBeGreaterThan(0);
    expect(banner).toBeLessThan(page.indexOf('class="cards"'));
    expect(page).toContain('F_PBLH_Bank, F_PBLH_Freight');
    expect(page).toContain('XSDD000012 (FID 100012)');
    await attention.clearUnaudited(100012);
    expect(await attention.unauditedOrders()).toEqual([]);
  });
});
