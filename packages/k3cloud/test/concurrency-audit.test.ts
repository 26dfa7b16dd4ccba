import { salesOrder, startHarness, type Harness } from './harness';

describe("the client's concurrency limit (KINGDEE_MAX_CONCURRENCY, held by the active writer)", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ bills: { SAL_SaleOrder: [salesOrder(1)] }, faults: { latencyMs: 40 } });
  });
  afterAll(() => h.close());

  const burst = async (client: ReturnType<Harness['client']>) => {
    await client.executeBillQuery({ formId: 'SAL_SaleOrder', fieldKeys: 'FID' }); // login done
    h.sim.resetStats();
    await Promise.all(
      Array.from({ length: 12 }, () => client.executeBillQuery({ formId: 'SAL_SaleOrder', fieldKeys: 'FID' })),
    );
    return h.sim.stats.peakConcurrent;
  };

  it('keeps at most maxConcurrency requests in K3Cloud at once, however many calls wait', async () => {
    expect(await burst(h.client({ maxConcurrency: 2 }))).toBe(2);
  });

  it('(control) a higher limit lets more requests in at once', async () => {
    expect(await burst(h.client({ maxConcurrency: 6 }))).toBeGreaterThan(2);
  });
});

describe('audit records', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ bills: { SAL_SaleOrder: [salesOrder(1)] } });
  });
  afterAll(() => h.close());

  it('records every HTTP call with operation, outcome and duration, and never a secret', async () => {
    const { password, appSecret } = h.sim.credentials;
    const session = h.client();
    await session.executeBillQuery({ formId: 'SAL_SaleOrder', fieldKeys: 'FID' }, ['3564000001']);
    h.sim.expireSessions();
    await session.batchSave(
      'SAL_SaleOrder',
      [{ FID: 1, F_PBLH_Entity: [{ F_PBLH_CashCollectionNo: 'HK-audit' }] }],
      { isDeleteEntry: false },
      ['5221565013', '3564000001'],
    );
    const app = h.client({ password: undefined, appId: h.sim.credentials.appId, appSecret });
    await app.billQuery({ formId: 'SAL_SaleOrder', fieldKeys: 'FID' });
    const signed = h.client({ authMode: 'signed', password: undefined, appId: h.sim.credentials.appId, appSecret });
    await signed.billQuery({ formId: 'SAL_SaleOrder', fieldKeys: 'FID' });
    await h
      .client({ password: 'wrong-password-123' })
      .billQuery({ formId: 'SAL_SaleOrder', fieldKeys: 'FID' })
      .catch(() => undefined);
    await session.close();

    expect(h.audit.entries.map((e) => [e.operation, e.outcome])).toEqual([
      ['ValidateUser', 'ok'],
      ['ExecuteBillQuery', 'ok'],
      ['BatchSave', 'session-lost'],
      ['ValidateUser', 'ok'],
      ['BatchSave', 'ok'],
      ['LoginByAppSecret', 'ok'],
      ['BillQuery', 'ok'],
      ['BillQuery', 'ok'],
      ['ValidateUser', 'business-error'],
      ['Logout', 'ok'],
    ]);
    // The receipts and orders a call was about reach every record of it, retries included.
    expect(h.audit.entries.slice(1, 5).map((e) => e.subjects)).toEqual([
      ['3564000001'],
      ['5221565013', '3564000001'],
      undefined,
      ['5221565013', '3564000001'],
    ]);
    for (const e of h.audit.entries) {
      expect(e).toMatchObject({ system: 'k3cloud', method: 'POST' });
      expect(e.path).toMatch(/^\/k3cloud\/Kingdee\.BOS\.WebApi\.ServicesStub\.\w+\.\w+\.common\.kdsvc$/);
      expect(e.durationMs).toBeGreaterThanOrEqual(0);
    }
    const text = JSON.stringify(h.audit.entries);
    for (const secret of [password, appSecret, 'wrong-password-123', h.sim.credentials.appId.split('_')[1] as string])
      expect(text).not.toContain(secret);
    expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/); // kdservice-sessionid values are GUIDs
    expect(text).not.toMatch(/kdservice-sessionid|ASP\.NET_SessionId|X-Kd-Signature/i);
  });
});
