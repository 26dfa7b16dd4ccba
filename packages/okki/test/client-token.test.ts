import { AuthenticationError } from '@receipt-sync/core';
import { generateDataset } from '@receipt-sync/simulators';
import { startOkkiSimulator, type OkkiSimulator } from '@receipt-sync/simulators';
import { TokenRejectedError } from '../src';
import { caught, clientFor, clientPool, totalRequests } from './support';

const { receipts } = generateDataset({ seed: 21, receipts: 40, orders: 5 });

describe('OkkiClient token handling (docs/apis/okki.md §2, §11.1)', () => {
  let sim: OkkiSimulator;
  let clock = Date.parse('2025-06-01T00:00:00Z');
  const pool = clientPool();
  const kit = (o?: Parameters<typeof clientFor>[1]) => pool.kit(sim, o);
  beforeAll(async () => {
    sim = await startOkkiSimulator({ receipts, now: () => new Date(clock) });
  });
  afterAll(async () => {
    await pool.closeAll();
    await sim.close();
  });
  beforeEach(() => {
    sim.resetFaults();
    sim.expireTokens();
    sim.resetStats();
  });

  it('shares one token request between concurrent first callers', async () => {
    const { client } = kit();
    const pages = await Promise.all(Array.from({ length: 10 }, () => client.listReceipts({ count: 5 })));
    expect(pages.every((p) => p.totalItem === 40)).toBe(true);
    expect(sim.stats.requests.token).toBe(1);
  });

  it('refreshes once and retries once when the token is revoked, auditing every attempt', async () => {
    sim.faults.tokenRevokeAfterCalls = 2;
    const { client, audit } = kit();
    for (let i = 0; i < 5; i++) await client.listReceipts({ count: 1 });
    expect(sim.stats.tokensIssued).toBe(3);
    expect(sim.stats.unauthorized).toBe(2);
    expect(audit.entries.map((e) => `${e.operation}:${e.outcome}`)).toEqual([
      'token:ok',
      'receipt.list:ok',
      'receipt.list:ok',
      'receipt.list:session-lost',
      'token:ok',
      'receipt.list:ok',
      'receipt.list:ok',
      'receipt.list:session-lost',
      'token:ok',
      'receipt.list:ok',
    ]);
    expect(audit.entries).toHaveLength(totalRequests(sim));
    const retried = audit.entries[5]!;
    expect(retried).toMatchObject({
      system: 'okki',
      method: 'GET',
      path: '/v1/invoices/receipt/list',
      status: 200,
      attempt: 2,
    });
  });

  it('after expiry, many concurrent callers that all get 401 cause exactly one new token request', async () => {
    const { client } = kit();
    await client.listReceipts({ count: 1 });
    sim.expireTokens();
    const tokenCallsBefore = sim.stats.requests.token;
    await Promise.all(Array.from({ length: 10 }, () => client.listReceipts({ count: 1 })));
    expect(sim.stats.requests.token - tokenCallsBefore).toBe(1);
    expect(sim.stats.unauthorized).toBe(10);
  });

  it('recovers when the server clock says the 8 h are over but the cache still trusts the token', async () => {
    const { client } = kit();
    await client.listReceipts({ count: 1 });
    clock += 8 * 3600 * 1000 + 1000;
    await expect(client.listReceipts({ count: 1 })).resolves.toMatchObject({ totalItem: 40 });
    expect(sim.stats.tokensIssued).toBe(2);
  });

  it('gives up with TokenRejectedError when even the fresh token is refused', async () => {
    sim.faults.tokenRevokeAfterCalls = 0;
    const { client, audit } = kit();
    const error = await caught(client.listReceipts());
    expect(error).toBeInstanceOf(TokenRejectedError);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(audit.entries.map((e) => `${e.operation}:${e.outcome}`)).toEqual([
      'token:ok',
      'receipt.list:session-lost',
      'token:ok',
      'receipt.list:session-lost',
    ]);
  });

  it('does not retry rejected credentials', async () => {
    const { client, audit } = kit({ clientSecret: 'wrong-secret-value' });
    const error = await caught(client.listReceipts());
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as Error).message).toContain('invalid_client');
    expect(audit.entries).toHaveLength(1);
    expect(audit.entries[0]).toMatchObject({
      operation: 'token',
      status: 400,
      outcome: 'http-error',
      errorCode: 'auth.rejected',
    });
  });

  it('keeps a token for 8 h when expires_in is absent', async () => {
    sim.faults.omitTokenExpiresIn = true;
    const { client } = kit();
    for (let i = 0; i < 4; i++) await client.listReceipts({ count: 1 });
    expect(sim.stats.requests.token).toBe(1);
  });

  it('never puts the client secret, a token or the Authorization header in audit records or logs', async () => {
    sim.faults.tokenRevokeAfterCalls = 1;
    const { client, audit, logLines } = kit();
    for (let i = 0; i < 3; i++) await client.listReceipts({ count: 2 });
    await client.getReceiptInfo(receipts[0]!.cash_collection_id);
    await caught(client.getReceiptInfo(1));
    const tokens = sim.issuedTokens();
    expect(tokens.length).toBeGreaterThanOrEqual(3);
    const serialized = JSON.stringify(audit.entries) + logLines.join('');
    expect(logLines.length).toBeGreaterThanOrEqual(audit.entries.length);
    for (const secret of [sim.clientSecret, ...tokens]) expect(serialized).not.toContain(secret);
    expect(serialized.toLowerCase()).not.toContain('authorization');
    expect(serialized).not.toContain('Bearer');
    expect(serialized).not.toContain('cash_collection_id=');
  });
});
