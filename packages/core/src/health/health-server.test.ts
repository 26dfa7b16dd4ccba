import { request } from 'undici';
import { registerSecret } from '../logger';
import { createMetrics } from '../metrics';
import { startHealthServer, withTimeout, TimeoutError, type HealthServer } from '.';

async function get(url: string): Promise<{ status: number; type: string; body: string }> {
  const res = await request(url);
  return { status: res.statusCode, type: String(res.headers['content-type']), body: await res.body.text() };
}

describe('startHealthServer over real HTTP', () => {
  const servers: HealthServer[] = [];
  const start = async (opts: Parameters<typeof startHealthServer>[0]) => {
    const s = await startHealthServer({ host: '127.0.0.1', ...opts });
    servers.push(s);
    return s;
  };
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  it('reports ready with every check ok', async () => {
    const s = await start({ port: 0, checks: { redis: async () => undefined, store: async () => undefined } });
    expect(s.port).toBeGreaterThan(0);
    const res = await get(`${s.url}/readyz`);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ status: 'ready', checks: { redis: 'ok', store: 'ok' } });
  });

  it('reports not-ready with the failing check message only — no stack, no credentials', async () => {
    registerSecret('k3-session-abcdef');
    const s = await start({
      port: 0,
      checks: {
        redis: async () => {
          throw new Error(
            'connect ECONNREFUSED redis://admin:hunter2@10.0.0.5:6379\n    at Socket.connect (net.js:1:1)',
          );
        },
        'k3cloud-session': async () => {
          throw new Error('login failed for session k3-session-abcdef');
        },
        store: async () => undefined,
      },
    });
    const res = await get(`${s.url}/readyz`);
    expect(res.status).toBe(503);
    const body = JSON.parse(res.body) as { status: string; checks: Record<string, string> };
    expect(body.status).toBe('not-ready');
    expect(body.checks.store).toBe('ok');
    expect(body.checks.redis).toBe('error: connect ECONNREFUSED redis://[redacted]@10.0.0.5:6379');
    expect(body.checks['k3cloud-session']).toMatch(/^error: login failed for session /);
    expect(res.body).not.toContain('hunter2');
    expect(res.body).not.toContain('k3-session-abcdef');
    expect(res.body).not.toContain('at Socket');
  });

  it('turns a hanging check into a 503 after the per-check timeout', async () => {
    const s = await start({
      port: 0,
      checkTimeoutMs: 150,
      checks: { redis: async () => undefined, store: () => new Promise<void>(() => undefined) },
    });
    const started = Date.now();
    const res = await get(`${s.url}/readyz`);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body)).toEqual({
      status: 'not-ready',
      checks: { redis: 'ok', store: 'error: check store did not answer within 150 ms' },
    });
  });

  it('answers /healthz from live()', async () => {
    let live = true;
    const s = await start({ port: 0, checks: {}, live: () => live });
    const up = await get(`${s.url}/healthz`);
    expect(up.status).toBe(200);
    expect(JSON.parse(up.body)).toEqual({ status: 'ok' });
    live = false;
    expect((await get(`${s.url}/healthz`)).status).toBe(503);
  });

  it('serves Prometheus text on /metrics', async () => {
    const metrics = createMetrics();
    metrics.receiptsWritten.inc(7);
    const s = await start({ port: 0, checks: {}, metrics: () => metrics.metricsText() });
    const res = await get(`${s.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.body).toContain('receipt_sync_receipts_written_total 7');
  });

  it('has no /metrics without a metrics source, mounts extra routes, and hides stacks of failing routes', async () => {
    const s = await start({
      port: 0,
      checks: {},
      extraRoutes: (app) => {
        app.get('/hello', (_req, res) => {
          res.json({ hi: true });
        });
        app.get('/boom', () => {
          throw new Error('kaboom at /secret/path');
        });
      },
    });
    expect((await get(`${s.url}/metrics`)).status).toBe(404);
    expect(JSON.parse((await get(`${s.url}/hello`)).body)).toEqual({ hi: true });
    const boom = await get(`${s.url}/boom`);
    expect(boom.status).toBe(500);
    expect(boom.body).not.toContain('kaboom');
  });

  it('answers only host names it knows, so a web page cannot read /metrics through DNS rebinding', async () => {
    const s = await start({
      port: 0,
      checks: {},
      metrics: async () => 'receipt_sync_up 1\n',
      allowedHosts: ['writer'],
    });
    const as = async (host: string) => (await request(`${s.url}/metrics`, { headers: { host } })).statusCode;
    expect(await as(`127.0.0.1:${s.port}`)).toBe(200);
    expect(await as(`localhost:${s.port}`)).toBe(200);
    expect(await as(`writer:${s.port}`)).toBe(200);
    expect(await as(`[::1]:${s.port}`)).toBe(200);
    expect(await as(`attacker.example:${s.port}`)).toBe(421);
  });

  it('rejects when the port is taken', async () => {
    const first = await start({ port: 0, checks: {} });
    await expect(startHealthServer({ port: first.port, host: '127.0.0.1', checks: {} })).rejects.toThrow(/EADDRINUSE/);
  });
});

describe('withTimeout', () => {
  it('passes values and rejections through and times out a promise that never settles', async () => {
    await expect(withTimeout(Promise.resolve(5), 50, 'x')).resolves.toBe(5);
    await expect(withTimeout(Promise.reject(new Error('nope')), 50, 'x')).rejects.toThrow('nope');
    const hanging = withTimeout(new Promise(() => undefined), 30, 'mongo ping');
    await expect(hanging).rejects.toBeInstanceOf(TimeoutError);
    await expect(hanging).rejects.toThrow('mongo ping did not answer within 30 ms');
  });
});
