import { readdirSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '@receipt-sync/core';
import type { HealthServer } from '@receipt-sync/core';
import { createDashboard, dashboardSettingsFromEnv, NO_CREDENTIALS_MESSAGE } from '../src';
import { basic, createHarness, get, PASSWORD, USER, type Harness } from './harness';

let h: Harness;
let server: HealthServer;

beforeAll(async () => {
  h = await createHarness();
  server = await h.serveDashboard();
});
afterAll(() => h.close());

/** A real Bull Board asset, so the static route is covered by the same guard. */
function bullBoardAsset(): string {
  const dir = path.join(path.dirname(require.resolve('@bull-board/ui/package.json')), 'dist', 'static', 'js');
  const file = readdirSync(dir).find((f) => f.endsWith('.js'));
  if (!file) throw new Error(`no Bull Board asset found in ${dir}`);
  return `/queues/static/js/${file}`;
}

describe('HTTP Basic covers every route', () => {
  const routes = () => [
    '/',
    '/api/status',
    '/api/dead-letters?queue=dead-letter',
    '/queues',
    '/queues/api/queues',
    bullBoardAsset(),
  ];

  it('answers 401 with a Basic challenge without credentials', async () => {
    for (const route of routes()) {
      const res = await get(server.url + route, {});
      expect({ route, status: res.status }).toEqual({ route, status: 401 });
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
      await res.text();
    }
  });

  it('answers 401 for a wrong password or user name', async () => {
    for (const auth of [basic(USER, 'wrong'), basic('someone', PASSWORD), basic(USER, `${PASSWORD}x`), 'Bearer abc']) {
      const res = await get(`${server.url}/api/status`, { authorization: auth });
      expect(res.status).toBe(401);
      await res.text();
    }
    expect(h.logger.lines.some((l) => l.level === 'warn' && l.msg === 'dashboard login failed')).toBe(true);
    expect(JSON.stringify(h.logger.lines)).not.toContain(PASSWORD);
  });

  it('serves every route with the right credentials', async () => {
    for (const route of routes()) {
      const res = await get(server.url + route);
      expect({ route, status: res.status }).toEqual({ route, status: 200 });
      await res.text();
    }
  });

  it('lists all seven queues in Bull Board under the receipt-sync title', async () => {
    const api = (await (await get(`${server.url}/queues/api/queues`)).json()) as {
      queues: Array<{ name: string; readOnlyMode: boolean }>;
    };
    const byName = Object.fromEntries(api.queues.map((q) => [q.name, q.readOnlyMode]));
    expect(byName).toEqual({
      windows: true,
      push: true,
      raw: true,
      ready: true,
      reconcile: true,
      'dead-letter': true,
      quarantine: true,
    });
    const page = await (await get(`${server.url}/queues`)).text();
    expect(page).toContain('<title>receipt-sync</title>');
  });
});

describe('start-up without credentials', () => {
  it('refuses to start, explaining both options', () => {
    const make = () =>
      createDashboard({ queues: h.queues, store: h.store, logger: h.logger, auth: { localOnly: false } });
    expect(make).toThrow(ConfigError);
    expect(make).toThrow(/DASHBOARD_USERNAME and DASHBOARD_PASSWORD.*DASHBOARD_LOCAL_ONLY=true/s);
  });

  it('refuses a user name without a password', () => {
    expect(() =>
      createDashboard({
        queues: h.queues,
        store: h.store,
        logger: h.logger,
        auth: { username: USER, localOnly: true },
      }),
    ).toThrow(/DASHBOARD_PASSWORD must be set together with DASHBOARD_USERNAME/);
  });

  it('serves without a login in local-only mode (bound to 127.0.0.1 by the caller)', async () => {
    const local = await h.serve(
      createDashboard({ queues: h.queues, store: h.store, logger: h.logger, auth: { localOnly: true } }),
    );
    const res = await get(`${local.url}/api/status`, {});
    expect(res.status).toBe(200);
    expect(await res.json()).toHaveProperty('queues');
  });
});

describe('dashboardSettingsFromEnv', () => {
  const creds = { DASHBOARD_USERNAME: USER, DASHBOARD_PASSWORD: PASSWORD };

  it('reads DASHBOARD_LOCAL_ONLY as true/false/1/0, never by JS truthiness', () => {
    expect(dashboardSettingsFromEnv({ ...creds, DASHBOARD_LOCAL_ONLY: 'false' }).auth.localOnly).toBe(false);
    expect(dashboardSettingsFromEnv({ ...creds, DASHBOARD_LOCAL_ONLY: '0' }).auth.localOnly).toBe(false);
    expect(dashboardSettingsFromEnv({ DASHBOARD_LOCAL_ONLY: '1' }).auth.localOnly).toBe(true);
    expect(dashboardSettingsFromEnv({ DASHBOARD_LOCAL_ONLY: 'true' })).toMatchObject({
      host: '127.0.0.1',
      auth: { localOnly: true },
    });
    expect(() => dashboardSettingsFromEnv({ ...creds, DASHBOARD_LOCAL_ONLY: 'yes please' })).toThrow(
      /DASHBOARD_LOCAL_ONLY must be true, false, 1 or 0/,
    );
  });

  it('defaults the port to 3000 on all interfaces and reads the alert settings', () => {
    const s = dashboardSettingsFromEnv({
      ...creds,
      ALERT_WEBHOOKS: 'slack=https://hooks.example.com/x',
      ALERT_LAG_SECONDS: '600',
    });
    expect(s).toMatchObject({
      port: 3000,
      host: '0.0.0.0',
      alerts: { rules: { lagSecondsThreshold: 600 }, intervalMs: 60_000 },
    });
    expect(s.alerts.targets.targets).toEqual([{ kind: 'slack', url: 'https://hooks.example.com/x' }]);
    expect(dashboardSettingsFromEnv({ ...creds, DASHBOARD_PORT: '8080' }).port).toBe(8080);
  });

  it('refuses to run without credentials unless local-only, without echoing the password', () => {
    expect(() => dashboardSettingsFromEnv({})).toThrow(NO_CREDENTIALS_MESSAGE);
    expect(() => dashboardSettingsFromEnv({ DASHBOARD_LOCAL_ONLY: 'false' })).toThrow(ConfigError);
    let message = '';
    try {
      dashboardSettingsFromEnv({ DASHBOARD_PASSWORD: PASSWORD, DASHBOARD_PORT: 'eighty' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/DASHBOARD_PORT/);
    expect(message).not.toContain(PASSWORD);
  });
});
