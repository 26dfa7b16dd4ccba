import { AuthenticationError, ConfigError, K3CloudSessionLostError } from '@receipt-sync/core';
import { salesOrder, startHarness, type Harness } from './harness';

const fidQuery = { formId: 'SAL_SaleOrder', fieldKeys: 'FID', filterString: 'FID = 7001' };

describe('session login and re-login (docs/apis/k3cloud.md §2.1)', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ bills: { SAL_SaleOrder: [salesOrder(7001)] } });
  });
  afterAll(() => h.close());

  it('logs in once with ValidateUser and reuses the session', async () => {
    const client = h.client();
    const logins = h.sim.stats.logins;
    expect(await client.executeBillQuery(fidQuery)).toEqual([[7001]]);
    expect(await client.executeBillQuery(fidQuery)).toEqual([[7001]]);
    expect(h.sim.stats.logins).toBe(logins + 1);
  });

  it('re-logs in once after the session expired and the request succeeds', async () => {
    const client = h.client();
    await client.executeBillQuery(fidQuery);
    const logins = h.sim.stats.logins;
    h.sim.expireSessions();
    expect(await client.executeBillQuery(fidQuery)).toEqual([[7001]]);
    expect(h.sim.stats.logins).toBe(logins + 1);
  });

  it('makes concurrent callers that all lose the session share one login', async () => {
    const client = h.client();
    await client.executeBillQuery(fidQuery);
    h.sim.expireSessions();
    const logins = h.sim.stats.logins;
    const results = await Promise.all(Array.from({ length: 8 }, () => client.executeBillQuery(fidQuery)));
    expect(results).toEqual(Array.from({ length: 8 }, () => [[7001]]));
    expect(h.sim.stats.logins).toBe(logins + 1);
  });

  it('shares the first login among concurrent first calls', async () => {
    const client = h.client();
    const logins = h.sim.stats.logins;
    await Promise.all(Array.from({ length: 5 }, () => client.executeBillQuery(fidQuery)));
    expect(h.sim.stats.logins).toBe(logins + 1);
  });

  it('throws K3CloudSessionLostError when the session is lost again right after the re-login', async () => {
    const client = h.client();
    await client.executeBillQuery(fidQuery);
    h.sim.faults.sessionExpiryRate = 1;
    try {
      const logins = h.sim.stats.logins;
      await expect(client.batchSave('SAL_SaleOrder', [{ FID: 7001 }])).rejects.toBeInstanceOf(K3CloudSessionLostError);
      expect(h.sim.stats.logins).toBe(logins + 1);
    } finally {
      h.sim.faults.sessionExpiryRate = 0;
    }
  });

  it('uses LoginByAppSecret when appId and appSecret are set', async () => {
    const client = h.client({
      password: undefined,
      appId: h.sim.credentials.appId,
      appSecret: h.sim.credentials.appSecret,
    });
    const before = h.sim.stats.calls.LoginByAppSecret ?? 0;
    expect(await client.executeBillQuery(fidQuery)).toEqual([[7001]]);
    expect(h.sim.stats.calls.LoginByAppSecret).toBe(before + 1);
  });

  it('surfaces a refused login as AuthenticationError with K3 message, without retrying reads', async () => {
    const client = h.client({ password: 'not-the-password' });
    const before = h.sim.stats.calls.ValidateUser ?? 0;
    const error = await client.executeBillQuery(fidQuery).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as Error).message).toContain('用户名或密码错误');
    expect((error as Error).message).not.toContain('not-the-password');
    expect(h.sim.stats.calls.ValidateUser).toBe(before + 1);
  });

  it('logs out on close', async () => {
    const client = h.client();
    await client.executeBillQuery(fidQuery);
    const before = h.sim.stats.calls.Logout ?? 0;
    await client.close();
    expect(h.sim.stats.calls.Logout).toBe(before + 1);
  });

  it('rejects incomplete options with a ConfigError naming the field', () => {
    expect(() => h.client({ password: undefined })).toThrow(ConfigError);
    expect(() => h.client({ authMode: 'signed' })).toThrow(/appId/);
  });
});

describe('signed-header mode against the simulator (docs/apis/k3cloud.md §2.3)', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ bills: { SAL_SaleOrder: [salesOrder(7001)] } });
  });
  afterAll(() => h.close());

  it.each(['seconds', 'milliseconds'] as const)(
    'queries and saves with no login call (%s timestamps)',
    async (signatureTimestamp) => {
      const client = h.client({
        authMode: 'signed',
        password: undefined,
        appId: h.sim.credentials.appId,
        appSecret: h.sim.credentials.appSecret,
        signatureTimestamp,
      });
      const logins = h.sim.stats.logins;
      expect(await client.executeBillQuery(fidQuery)).toEqual([[7001]]);
      const saved = await client.batchSave(
        'SAL_SaleOrder',
        [{ FID: 7001, F_PBLH_Entity: [{ F_PBLH_CashCollectionNo: `HK-${signatureTimestamp}` }] }],
        { isDeleteEntry: false },
      );
      expect(saved.results[0]?.ok).toBe(true);
      expect(h.sim.stats.logins).toBe(logins);
    },
  );

  it('turns a refused signature into AuthenticationError after one fresh attempt', async () => {
    const client = h.client({
      authMode: 'signed',
      password: undefined,
      appId: h.sim.credentials.appId,
      appSecret: 'ffffffffffffffffffffffffffffffff',
    });
    const before = h.sim.stats.calls.ExecuteBillQuery ?? 0;
    await expect(client.executeBillQuery(fidQuery)).rejects.toBeInstanceOf(AuthenticationError);
    expect(h.sim.stats.calls.ExecuteBillQuery).toBe(before + 2);
  });
});
