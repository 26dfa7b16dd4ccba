import { randomUUID } from 'node:crypto';
import { HttpStatusError, MalformedResponseError, OkkiBusinessError, RequestTimeoutError } from '@receipt-sync/core';
import { generateDataset } from '@receipt-sync/simulators';
import { startOkkiSimulator, type OkkiSimulator } from '@receipt-sync/simulators';
import IORedis from 'ioredis';
import { caught, clientFor, clientPool } from './support';

const { receipts } = generateDataset({ seed: 31, receipts: 60, orders: 8 });

describe('OkkiClient under injected faults', () => {
  let sim: OkkiSimulator;
  const pool = clientPool();
  const kit = (o?: Parameters<typeof clientFor>[1]) => pool.kit(sim, o);
  beforeAll(async () => {
    sim = await startOkkiSimulator({ receipts, seed: 8 });
  });
  afterAll(async () => {
    await pool.closeAll();
    await sim.close();
  });
  beforeEach(() => {
    sim.resetFaults();
    sim.resetStats();
  });

  it('times out a slow attempt, retries, and surfaces RequestTimeoutError after the last one', async () => {
    const { client, audit } = kit({ timeoutMs: 100, retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 20 } });
    await client.listReceipts({ count: 1 }); // token in hand before the server slows down
    sim.faults.latencyMs = 400;
    const started = performance.now();
    const error = await caught(client.listReceipts({ count: 1 }));
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect(performance.now() - started).toBeLessThan(1_000);
    const lists = audit.entries.filter((e) => e.operation === 'receipt.list').slice(1);
    expect(lists.map((e) => [e.attempt, e.outcome])).toEqual([
      [1, 'timeout'],
      [2, 'timeout'],
      [3, 'timeout'],
    ]);
  });

  it('rides out jittered latency where some attempts exceed the timeout', async () => {
    const { client, audit } = kit({ timeoutMs: 150, retry: { attempts: 12, baseDelayMs: 5, maxDelayMs: 20 } });
    await client.listReceipts({ count: 1 });
    sim.faults.latencyMs = { minMs: 0, maxMs: 300 };
    for (let i = 0; i < 6; i++)
      await expect(client.listReceipts({ count: 3 })).resolves.toMatchObject({ totalItem: 60 });
    expect(audit.entries.some((e) => e.outcome === 'timeout')).toBe(true);
  });

  it('honours Retry-After after a 429', async () => {
    sim.faults.rateLimit = { maxPerSecond: 1, retryAfterSeconds: 1 };
    const { client, audit } = kit();
    await client.listReceipts({ count: 1 }); // the token call spent this second's budget
    const lists = audit.entries.filter((e) => e.operation === 'receipt.list');
    expect(lists.map((e) => [e.attempt, e.outcome, e.status])).toEqual([
      [1, 'rate-limited', 429],
      [2, 'ok', 200],
    ]);
    expect(Date.parse(lists[1]!.at) - Date.parse(lists[0]!.at)).toBeGreaterThanOrEqual(1_000);
  });

  it('gets through a 429 storm: every call completes and the server limit is what it observed', async () => {
    sim.faults.rateLimit = { maxPerSecond: 5, retryAfterSeconds: 1 };
    const { client, audit } = kit({ retry: { attempts: 12, baseDelayMs: 50, maxDelayMs: 400 } });
    const pages = await Promise.all(
      Array.from({ length: 15 }, (_, i) => client.listReceipts({ page: (i % 3) + 1, count: 20 })),
    );
    expect(pages.every((p) => p.totalItem === 60 && p.list.length === 20)).toBe(true);
    expect(sim.stats.rateLimited).toBeGreaterThan(0);
    expect(audit.entries.filter((e) => e.outcome === 'rate-limited')).toHaveLength(sim.stats.rateLimited);
  });

  it('waits out 429s without spending its tries: 2 tries still get through a storm of 15 calls', async () => {
    sim.faults.rateLimit = { maxPerSecond: 5, retryAfterSeconds: 1 };
    const { client } = kit({ retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 20 } });
    const pages = await Promise.all(Array.from({ length: 15 }, () => client.listReceipts({ count: 5 })));
    expect(pages.every((p) => p.list.length === 5)).toBe(true);
    expect(sim.stats.rateLimited).toBeGreaterThan(15); // more 429s than the tries would have allowed
  });

  it('paces its own calls to maxRps', async () => {
    const { client } = kit({ maxRps: 5 });
    const started = performance.now();
    await Promise.all(Array.from({ length: 11 }, () => client.listReceipts({ count: 1 })));
    expect(performance.now() - started).toBeGreaterThanOrEqual(1_900); // 12 starts, 200 ms apart
    expect(sim.stats.maxObservedRps).toBeLessThanOrEqual(6);
  });

  it('shares the rate across two clients (two replicas) through Redis', async () => {
    const redis = new IORedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
    try {
      const limiterId = `okki-shared-${randomUUID()}`;
      const a = clientFor(sim, { maxRps: 4, redis, limiterId });
      const b = clientFor(sim, { maxRps: 4, redis, limiterId });
      try {
        await Promise.all([
          ...Array.from({ length: 5 }, () => a.client.listReceipts({ count: 1 })),
          ...Array.from({ length: 5 }, () => b.client.listReceipts({ count: 1 })),
        ]);
      } finally {
        await Promise.all([a.client.close(), b.client.close()]);
      }
      // 12 calls (two tokens) at 4/s across both replicas: never more than 4 (+1 for timer jitter) in a second.
      expect(sim.stats.maxObservedRps).toBeLessThanOrEqual(5);
      const keys = await redis.keys(`${limiterId}:limiter:*`);
      if (keys.length > 0) await redis.del(...keys);
    } finally {
      await redis.quit();
    }
  });

  it('retries random 5xx, HTML gateway pages included, and surfaces HttpStatusError when they never stop', async () => {
    const { client, audit } = kit({ retry: { attempts: 10, baseDelayMs: 5, maxDelayMs: 20 } });
    sim.faults.errorRate = 0.5;
    for (let i = 0; i < 10; i++)
      await expect(client.listReceipts({ count: 2 })).resolves.toMatchObject({ totalItem: 60 });
    const failures = audit.entries.filter((e) => e.outcome === 'http-error');
    expect(new Set(failures.map((e) => e.status))).toEqual(new Set([500, 502, 503]));
    sim.faults.errorRate = 1;
    const error = await caught(client.listReceipts());
    expect(error).toBeInstanceOf(HttpStatusError);
    expect(audit.entries.slice(-10).every((e) => e.outcome === 'http-error')).toBe(true);
  });

  it("retries business code 500 and surfaces OKKI's message; not-found is final at once", async () => {
    const { client, audit } = kit({ retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 10 } });
    await client.listReceipts({ count: 1 });
    sim.faults.businessErrorRate = 1;
    const error = (await caught(client.listReceipts())) as OkkiBusinessError;
    expect(error).toBeInstanceOf(OkkiBusinessError);
    expect(error.okkiCode).toBe(500);
    expect(error.okkiMessage).toBe('系统繁忙，请稍后再试');
    expect(audit.entries.slice(-3).map((e) => e.outcome)).toEqual([
      'business-error',
      'business-error',
      'business-error',
    ]);
    sim.faults.businessErrorRate = 0;
    const before = audit.entries.length;
    const missing = (await caught(client.getReceiptInfo(42))) as OkkiBusinessError;
    expect(missing.isNotFound).toBe(true);
    expect(missing.disposition).toBe('permanent');
    expect(audit.entries.length - before).toBe(1);
    expect(audit.entries.at(-1)).toMatchObject({
      operation: 'receipt.info',
      path: '/v1/invoices/receipt/info',
      message: 'code 404 Not Found Resource',
      subjects: ['42'],
    });
  });

  it('retries truncated JSON and HTML bodies served with HTTP 200', async () => {
    const { client, audit } = kit({ retry: { attempts: 10, baseDelayMs: 5, maxDelayMs: 20 } });
    await client.listReceipts({ count: 1 });
    sim.faults.malformedRate = 0.5;
    for (let i = 0; i < 8; i++)
      await expect(client.listReceipts({ count: 2 })).resolves.toMatchObject({ totalItem: 60 });
    expect(audit.entries.filter((e) => e.outcome === 'malformed').length).toBeGreaterThan(0);
    sim.faults.malformedRate = 1;
    expect(await caught(client.listReceipts())).toBeInstanceOf(MalformedResponseError);
  });

  it('returns info records with the bank account and PHP [] normalised', async () => {
    const { client } = kit();
    const withAccount = receipts.find((r) => !Array.isArray(r.capital_account_info))!;
    const info = await client.getReceiptInfo(withAccount.cash_collection_id);
    expect(info.capital_account_info).toEqual(withAccount.capital_account_info);
    expect(info.amount).toBe(withAccount.amount);
    expect(info.enable_flag).toBe(1);
    const byNo = await client.getReceiptInfo({ cashCollectionNo: withAccount.cash_collection_no });
    expect(byNo.cash_collection_id).toBe(withAccount.cash_collection_id);
    const without = receipts.find((r) => Array.isArray(r.capital_account_info))!;
    expect((await client.getReceiptInfo(without.cash_collection_id)).capital_account_info).toBeNull();
  });
});
