import http from 'node:http';
import {
  createMetrics,
  listeningMessage,
  registerSecret,
  startHealthServer,
  type HealthServer,
} from '@receipt-sync/core';
import { createDashboard, createDashboardGuard, type DashboardAuth } from '../src';
import { basic, createHarness, deadLetterRecord, PASSWORD, seedDeadLetter, USER, type Harness } from './harness';

interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** node:http, because fetch will not let a test choose the Host header or the local address. */
function raw(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string; localAddress?: string } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: opts.method ?? 'GET', headers: opts.headers, localAddress: opts.localAddress, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

const LOCAL: DashboardAuth = { localOnly: true };
const WITH_LOGIN: DashboardAuth = { username: USER, password: PASSWORD, localOnly: false };

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

function serve(auth: DashboardAuth, extra: Partial<Parameters<typeof createDashboard>[0]> = {}): Promise<HealthServer> {
  return h.serve(createDashboard({ queues: h.queues, store: h.store, logger: h.logger, auth, ...extra }));
}

describe('DNS rebinding: the Host allowlist', () => {
  it('answers 421 to a foreign Host in local-only mode, on reads and on a discard with a matching Origin', async () => {
    const server = await serve(LOCAL);
    const id = await seedDeadLetter(h.queues, deadLetterRecord());
    const status = await raw(`${server.url}/api/status`, { headers: { host: 'rebind.attacker.example' } });
    expect(status.status).toBe(421);
    expect(JSON.parse(status.body).error).toMatch(/DASHBOARD_ALLOWED_HOSTS/);
    const page = await raw(`${server.url}/`, { headers: { host: `rebind.attacker.example:${server.port}` } });
    expect(page.status).toBe(421);
    const discard = await raw(`${server.url}/api/dead-letters/discard`, {
      method: 'POST',
      headers: {
        host: `rebind.attacker.example:${server.port}`,
        origin: `http://rebind.attacker.example:${server.port}`,
        'content-type': 'application/json',
        'x-requested-with': 'receipt-sync',
      },
      body: JSON.stringify({ queue: 'dead-letter', ids: [id] }),
    });
    expect(discard.status).toBe(421);
    expect(await h.queues['dead-letter'].getJob(id)).toBeDefined();
  });

  it('answers loopback names on its own port, and names listed in DASHBOARD_ALLOWED_HOSTS', async () => {
    const server = await serve(WITH_LOGIN, {
      allowedHosts: [{ name: 'dash.example.com' }, { name: 'ops.lan', port: 8443 }],
    });
    const auth = { authorization: basic() };
    const answer = async (host: string) =>
      (await raw(`${server.url}/api/status`, { headers: { ...auth, host } })).status;
    expect(await answer(`127.0.0.1:${server.port}`)).toBe(200);
    expect(await answer(`localhost:${server.port}`)).toBe(200);
    expect(await answer(`[::1]:${server.port}`)).toBe(200);
    expect(await answer('dash.example.com')).toBe(200);
    expect(await answer('DASH.example.com:9000')).toBe(200);
    expect(await answer('ops.lan:8443')).toBe(200);
    expect(await answer('ops.lan:8444')).toBe(421);
    expect(await answer('localhost:1')).toBe(421);
    expect(await answer('dash.example.com.attacker.example')).toBe(421);
  });

  it('refuses a request whose Origin is not an allowed host (403), even with the CSRF header', async () => {
    const server = await serve(LOCAL);
    const id = await seedDeadLetter(h.queues, deadLetterRecord());
    const res = await raw(`${server.url}/api/dead-letters/discard`, {
      method: 'POST',
      headers: {
        origin: 'http://rebind.attacker.example',
        'content-type': 'application/json',
        'x-requested-with': 'receipt-sync',
      },
      body: JSON.stringify({ queue: 'dead-letter', ids: [id] }),
    });
    expect(res.status).toBe(403);
    expect(await h.queues['dead-letter'].getJob(id)).toBeDefined();
    const same = await raw(`${server.url}/api/dead-letters/discard`, {
      method: 'POST',
      headers: { origin: server.url, 'content-type': 'application/json' },
      body: JSON.stringify({ queue: 'dead-letter', ids: [id] }),
    });
    expect(same.status).toBe(200);
    expect(await h.queues['dead-letter'].getJob(id)).toBeUndefined();
  });
});

describe('dead-letter reasons are scrubbed like the logs', () => {
  it('hides a configured secret and a bearer token on the page and in /api/dead-letters', async () => {
    const secret = 'k3-password-Zq81!';
    registerSecret(secret);
    await seedDeadLetter(
      h.queues,
      deadLetterRecord({
        reason: `k3cloud: ValidateUser refused user admin with ${secret}; Authorization: Bearer abcdefghijklmnop; redis://u:hunter2@10.0.0.5`,
      }),
    );
    const server = await serve(LOCAL);
    const api = await raw(`${server.url}/api/dead-letters?queue=dead-letter&start=0&end=99`);
    const page = await raw(`${server.url}/dead-letters?queue=dead-letter`);
    for (const body of [api.body, page.body]) {
      expect(body).toContain('ValidateUser refused user admin with [redacted]');
      expect(body).not.toContain(secret);
      expect(body).not.toContain('abcdefghijklmnop');
      expect(body).not.toContain('hunter2');
    }
  });
});

describe('bad request bodies', () => {
  it('answers malformed JSON with 400 and oversized JSON with 413, logged at warn without a stack', async () => {
    const server = await serve(LOCAL);
    const before = h.logger.lines.length;
    const headers = { 'content-type': 'application/json', 'x-requested-with': 'receipt-sync' };
    const malformed = await raw(`${server.url}/api/dead-letters/replay`, {
      method: 'POST',
      headers,
      body: '{"queue":',
    });
    expect(malformed.status).toBe(400);
    // No Accept-Language and no switch cookie: Chinese, like the pages; the code is the same in every language.
    expect(JSON.parse(malformed.body)).toEqual({ code: 'request.bad-json', error: '请求内容不是有效的 JSON' });
    const huge = JSON.stringify({ queue: 'dead-letter', ids: ['x'.repeat(300 * 1024)] });
    const oversized = await raw(`${server.url}/api/dead-letters/replay`, { method: 'POST', headers, body: huge });
    expect(oversized.status).toBe(413);
    expect(JSON.parse(oversized.body)).toEqual({ code: 'request.too-large', error: '请求内容太大' });
    const lines = h.logger.lines.slice(before);
    expect(lines.filter((l) => l.level === 'error')).toEqual([]);
    expect(lines.filter((l) => l.level === 'warn').map((l) => l.obj)).toEqual([
      { path: '/api/dead-letters/replay', status: 400, type: 'entity.parse.failed', code: 'request.bad-json' },
      { path: '/api/dead-letters/replay', status: 413, type: 'entity.too.large', code: 'request.too-large' },
    ]);
  });
});

describe('login throttling per client address', () => {
  it('answers 429 with Retry-After after 10 failures, even to the right password, and not to other addresses', async () => {
    const server = await serve(WITH_LOGIN);
    const url = `${server.url}/api/status`;
    const wrong = { authorization: basic(USER, 'guess') };
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await raw(url, { headers: wrong })).status);
    expect(statuses).toEqual([...Array<number>(10).fill(401), 429, 429]);
    // A right guess while blocked is not even checked.
    const blocked = await raw(url, { headers: { authorization: basic() } });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // Another client address (127.0.0.2 is loopback too) is not affected.
    const other = await raw(url, { headers: { authorization: basic() }, localAddress: '127.0.0.2' });
    expect(other.status).toBe(200);
    const failures = h.logger.lines.filter(
      (l) =>
        l.level === 'warn' &&
        /^dashboard login failed/.test(l.msg ?? '') &&
        (l.obj as { ip: string }).ip === '127.0.0.1',
    );
    // One line per checked guess; the refused ones cost no log line.
    expect(failures).toHaveLength(10);
  });
});

describe('the dashboard port', () => {
  it('serves /metrics, /readyz and /healthz behind the same login as the dashboard', async () => {
    const guard = createDashboardGuard({ auth: WITH_LOGIN, logger: h.logger });
    const metrics = createMetrics();
    const server = await startHealthServer({
      port: 0,
      host: '127.0.0.1',
      checks: { redis: async () => undefined },
      metrics: () => metrics.metricsText(),
      guard,
      extraRoutes: (app) =>
        app.use(createDashboard({ queues: h.queues, store: h.store, logger: h.logger, auth: WITH_LOGIN, guard })),
    });
    try {
      for (const path of ['/metrics', '/readyz', '/healthz']) {
        expect((await raw(`${server.url}${path}`)).status).toBe(401);
        expect((await raw(`${server.url}${path}`, { headers: { authorization: basic() } })).status).toBe(200);
        expect((await raw(`${server.url}${path}`, { headers: { host: 'evil.example' } })).status).toBe(421);
      }
    } finally {
      await server.close();
    }
  });

  it('logs where it really listens', async () => {
    const everywhere = await startHealthServer({ port: 0, host: '0.0.0.0', checks: {} });
    try {
      expect(everywhere.listenAddress).toBe(`0.0.0.0:${everywhere.port}`);
      expect(listeningMessage('dashboard', everywhere)).toBe(
        `dashboard listening on 0.0.0.0:${everywhere.port} (every interface); open http://127.0.0.1:${everywhere.port}/`,
      );
    } finally {
      await everywhere.close();
    }
    const local = await startHealthServer({ port: 0, host: '127.0.0.1', checks: {} });
    try {
      expect(listeningMessage('dashboard', local)).toBe(
        `dashboard listening on 127.0.0.1:${local.port}; open http://127.0.0.1:${local.port}/`,
      );
    } finally {
      await local.close();
    }
  });
});
