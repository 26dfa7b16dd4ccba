import { generateDataset } from '../sample-data';
import { startOkkiSimulator, type OkkiSimulator } from '.';
import { fetchToken, http, list } from './test-helpers';

const TOKEN_PATH = '/v1/oauth2/access_token';

describe('okki simulator: token endpoint and authorisation (docs/apis/okki.md §2)', () => {
  let sim: OkkiSimulator;
  let clock = Date.parse('2025-04-16T04:00:00Z');
  beforeAll(async () => {
    sim = await startOkkiSimulator({
      receipts: generateDataset({ seed: 1, receipts: 5, orders: 2 }).receipts,
      now: () => new Date(clock),
    });
  });
  afterAll(() => sim.close());
  beforeEach(() => {
    sim.expireTokens();
    sim.resetFaults();
  });

  const jsonBody = (extra: Record<string, string> = {}) =>
    JSON.stringify({
      grant_type: 'client_credentials',
      client_id: sim.clientId,
      client_secret: sim.clientSecret,
      scope: 'invoices',
      ...extra,
    });

  it('issues an 8 h Bearer token without refresh_token for client_credentials (JSON body)', async () => {
    const res = await http(sim, TOKEN_PATH, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: jsonBody(),
    });
    expect(res.status).toBe(200);
    const body = res.json();
    expect(body).toEqual({
      token_type: 'Bearer',
      expires_in: 28800,
      access_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
    });
  });

  it('returns the same token with the remaining lifetime when asked again, also for a form body', async () => {
    const first = await fetchToken(sim);
    clock += 100_000;
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: sim.clientId,
      client_secret: sim.clientSecret,
      scope: 'invoices',
    });
    const again = await http(sim, TOKEN_PATH, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    expect(again.json()).toMatchObject({ access_token: first, expires_in: 28700 });
  });

  it('answers OAuth2 error bodies for a bad secret, a missing grant_type and an unknown scope', async () => {
    const bad = await http(sim, TOKEN_PATH, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: jsonBody({ client_secret: 'nope' }),
    });
    expect(bad.status).toBe(400);
    expect(bad.json()).toEqual({
      error: 'invalid_client',
      error_description: 'Client authentication failed',
      message: 'Client authentication failed',
    });
    const noGrant = await http(sim, TOKEN_PATH, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(noGrant.json().error).toBe('unsupported_grant_type');
    const scope = await http(sim, TOKEN_PATH, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: jsonBody({ scope: 'invoices bogus' }),
    });
    expect(scope.json().error).toBe('invalid_scope');
  });

  it('omits expires_in when told to', async () => {
    sim.faults.omitTokenExpiresIn = true;
    const res = await http(sim, TOKEN_PATH, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: jsonBody(),
    });
    expect(res.json().expires_in).toBeUndefined();
    expect(res.json().access_token).toEqual(expect.any(String));
  });

  it('accepts the token with or without the Bearer prefix and refuses a missing or unknown one with 401 access_denied', async () => {
    const token = await fetchToken(sim);
    expect((await list(sim, token, {})).json().code).toBe(200);
    const bare = await http(sim, '/v1/invoices/receipt/list', { headers: { authorization: token } });
    expect(bare.json().code).toBe(200);
    const missing = await http(sim, '/v1/invoices/receipt/list');
    expect(missing.status).toBe(401);
    expect(missing.json()).toMatchObject({ error: 'access_denied', hint: 'Missing "Authorization" header' });
    const unknown = await list(sim, 'not-a-token', {});
    expect(unknown.status).toBe(401);
    expect(unknown.json()).toEqual({
      error: 'access_denied',
      error_description: 'The resource owner or authorization server denied the request.',
      hint: 'Access token could not be verified',
      message: 'The resource owner or authorization server denied the request.',
    });
  });

  it('expires tokens after 8 hours of server time and on expireTokens(), then issues a new one', async () => {
    const token = await fetchToken(sim);
    clock += 8 * 3600 * 1000;
    expect((await list(sim, token, {})).status).toBe(401);
    const next = await fetchToken(sim);
    expect(next).not.toBe(token);
    expect((await list(sim, next, {})).status).toBe(200);
    sim.expireTokens();
    expect((await list(sim, next, {})).status).toBe(401);
  });

  it('answers code 403 "no permission invoices scopes" for a token without the invoices scope', async () => {
    const token = await fetchToken(sim, 'company');
    const res = await list(sim, token, {});
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ code: 403, message: 'no permission invoices scopes', now: expect.any(String) });
  });

  it('revokes a token after tokenRevokeAfterCalls data calls', async () => {
    sim.faults.tokenRevokeAfterCalls = 2;
    const token = await fetchToken(sim);
    expect((await list(sim, token, {})).status).toBe(200);
    expect((await list(sim, token, {})).status).toBe(200);
    const third = await list(sim, token, {});
    expect(third.status).toBe(401);
    expect(third.json().error).toBe('access_denied');
    const fresh = await fetchToken(sim);
    expect(fresh).not.toBe(token);
    expect((await list(sim, fresh, {})).status).toBe(200);
  });
});
