import { randomUUID } from 'node:crypto';
import IORedis from 'ioredis';
import { AuthenticationError } from '@receipt-sync/core';
import { salesOrder, startHarness, type Harness } from './harness';

const fidQuery = { formId: 'SAL_SaleOrder', fieldKeys: 'FID', filterString: 'FID = 7001' };
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('a refused login closes the login gate (no login storms)', () => {
  let h: Harness;
  let redis: IORedis;
  const prefixes: string[] = [];
  const limiterId = () => {
    const id = `k3gate-${randomUUID().slice(0, 8)}`;
    prefixes.push(id);
    return id;
  };
  const attempts = () => h.sim.stats.calls.ValidateUser ?? 0;

  beforeAll(async () => {
    h = await startHarness({ bills: { SAL_SaleOrder: [salesOrder(7001)] } });
    redis = new IORedis(REDIS_URL);
  });
  afterAll(async () => {
    await h.close();
    for (const p of prefixes) {
      const keys = await redis.keys(`${p}*`);
      if (keys.length) await redis.del(...keys);
    }
    await redis.quit();
  });

  it('makes one login for 200 calls, then refuses at once with the wait and the variables to check', async () => {
    const client = h.client({
      password: 'not-the-password',
      credentialNames: 'KINGDEE_USERNAME and KINGDEE_PASSWORD',
      loginCoolDownsMs: [60_000],
    });
    const before = attempts();
    const concurrent = await Promise.all(
      Array.from({ length: 100 }, () => client.executeBillQuery(fidQuery).catch((e: unknown) => e)),
    );
    for (let i = 0; i < 100; i++) await client.executeBillQuery(fidQuery).catch(() => undefined);
    expect(attempts() - before).toBe(1);
    const error = concurrent[99] as AuthenticationError;
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.disposition).toBe('misconfigured');
    expect(error.message).toMatch(/用户名或密码错误.*check KINGDEE_USERNAME and KINGDEE_PASSWORD; no further login/);
    expect(error.retryAfterMs).toBeGreaterThan(50_000);
    expect(client.loginRefused()?.message).toMatch(/no further login with these credentials/);
  });

  it('tries again once per cool-down, each longer than the last, and shares the refusal through Redis', async () => {
    const id = limiterId();
    const wrong = { password: 'not-the-password', redis, limiterId: id, loginCoolDownsMs: [300, 600, 60_000] };
    const first = h.client(wrong);
    const before = attempts();
    await expect(first.executeBillQuery(fidQuery)).rejects.toBeInstanceOf(AuthenticationError);
    // Another process with the same credentials (a replica, the transformer): no login of its own.
    const replica = h.client(wrong);
    const refused = (await replica.executeBillQuery(fidQuery).catch((e: unknown) => e)) as AuthenticationError;
    expect(refused.message).toMatch(/1 refused in a row/);
    expect(attempts() - before).toBe(1);

    // Calls keep coming; the gate opens for one attempt per cool-down.
    const hammer = async (until: () => boolean) => {
      const deadline = Date.now() + 10_000;
      while (!until() && Date.now() < deadline) {
        await first.executeBillQuery(fidQuery).catch(() => undefined);
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    await hammer(() => attempts() - before >= 3); // after 300 ms, then after 600 ms more
    const quietUntil = Date.now() + 500;
    await hammer(() => Date.now() > quietUntil); // the third wait is a minute
    expect(attempts() - before).toBe(3);
    expect(first.loginRefused()?.message).toMatch(/3 refused in a row/);

    // Fixed credentials are other credentials: they log in at once, and close the gate for good.
    const fixed = h.client({ redis, limiterId: id });
    expect(await fixed.executeBillQuery(fidQuery)).toEqual([[7001]]);
  });
});
