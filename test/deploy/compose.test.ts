/**
 * What operators rely on in the container deployment, checked on the configuration docker-compose itself
 * resolves (`docker-compose config`: anchors merged, env_file inlined), plus the container health probe.
 * Needs the docker-compose CLI (Debian 1.29 or Compose v2), not a Docker engine.
 */
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import { EnvSchema, HEAP_LIMIT_MB, type AppName } from '@receipt-sync/core';

const repoRoot = path.resolve(__dirname, '..', '..');
// js-yaml is already in node_modules (via eslint); no @types package, so type just the call we use.
const yaml = jest.requireActual<{ load(text: string): unknown }>('js-yaml');

/** docs/operations.md#configuration: the only names the deployment may pass to the apps. */
const CONTRACT_VARS = new Set([
  'REDIS_URL',
  'REDIS_CLUSTER_NODES',
  'QUEUE_PREFIX',
  'MONGO_URL',
  'XIAOMAN_BASE_URL',
  'XIAOMAN_CLIENT_ID',
  'XIAOMAN_CLIENT_SECRET',
  'XIAOMAN_PAGE_SIZE',
  'XIAOMAN_MAX_RPS',
  'KINGDEE_BASE_URL',
  'KINGDEE_ACCT_ID',
  'KINGDEE_USERNAME',
  'KINGDEE_PASSWORD',
  'KINGDEE_LCID',
  'KINGDEE_APP_ID',
  'KINGDEE_APP_SECRET',
  'KINGDEE_MAX_CONCURRENCY',
  'KINGDEE_BATCH_SIZE',
  'KINGDEE_LOCKED_ORDER_POLICY',
  'SYNC_START_TIME',
  'SYNC_INTERVAL_SECONDS',
  'SYNC_LOOKBACK_SECONDS',
  'SYNC_SAFETY_LAG_SECONDS',
  'MAPPING_FILE',
  'XIAOMAN_WEBHOOK_SECRET',
  'WEBHOOK_PORT',
]);
const HEALTH_PORTS: Record<string, number> = { producer: 9101, transformer: 9102, writer: 9103, dashboard: 3000 };
/** Where each app's health port listens and which names it answers (docs/observability.md#which-port-is-for-whom). */
const HEALTH_VARS = new Set(['HEALTH_PORT', 'HEALTH_HOST', 'HEALTH_ALLOWED_HOSTS']);
const APPS = Object.keys(HEALTH_PORTS);
/** SHUTDOWN_TIMEOUT_MS defaults to 30 s; Docker must not SIGKILL before the app's own deadline plus margin. */
const MIN_GRACE_SECONDS = 35;

const Service = z.object({
  image: z.string().optional(),
  build: z.object({ args: z.record(z.string(), z.string()).optional() }).optional(),
  command: z.union([z.string(), z.array(z.string())]).optional(),
  environment: z.record(z.string(), z.string().nullable()).optional(),
  healthcheck: z
    .object({ test: z.union([z.string(), z.array(z.string())]).optional(), disable: z.boolean().optional() })
    .optional(),
  restart: z.string().optional(),
  stop_grace_period: z.string().optional(),
  depends_on: z.union([z.array(z.string()), z.record(z.string(), z.object({ condition: z.string() }))]).optional(),
  ports: z
    .array(
      z.union([z.string(), z.object({ target: z.number(), published: z.union([z.string(), z.number()]).optional() })]),
    )
    .optional(),
  volumes: z.array(z.string()).optional(),
  profiles: z.array(z.string()).optional(),
});
type Service = z.infer<typeof Service>;
const ComposeConfig = z.object({ services: z.record(z.string(), Service) });

function requireDockerCompose(): void {
  const probe = spawnSync('docker-compose', ['version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      'docker-compose is not installed, so docker-compose.yml cannot be checked. ' +
        'Install it (Debian: apt-get install -y docker-compose) or run scripts/validate-compose.sh as root.',
    );
  }
}

function composeConfig(files: string[], extra: string[] = [], envFile = 'deploy/receipt-sync.env.example') {
  const env: NodeJS.ProcessEnv = { ...process.env, RECEIPT_SYNC_ENV_FILE: envFile };
  delete env.DASHBOARD_PUBLISH;
  const args = [...files.flatMap((f) => ['-f', f]), ...extra, 'config'];
  return spawnSync('docker-compose', args, { cwd: repoRoot, env, encoding: 'utf8' });
}

function resolvedServices(files: string[], extra: string[] = []): Record<string, Service> {
  const run = composeConfig(files, extra);
  if (run.status !== 0) throw new Error(`docker-compose ${files.join(' + ')} config failed:\n${run.stderr}`);
  return ComposeConfig.parse(yaml.load(run.stdout)).services;
}

function service(services: Record<string, Service>, name: string): Service {
  const found = services[name];
  if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
}

/** Compose durations: 45s, 1m30s, 2m, 1h, 500ms. */
function seconds(duration: string | undefined): number {
  if (!duration) return 10; // Docker's default grace period
  const parts = [...duration.matchAll(/(\d+(?:\.\d+)?)(ms|us|ns|h|m|s)/g)];
  if (parts.map((p) => p[0]).join('') !== duration) throw new Error(`unreadable duration "${duration}"`);
  const unit: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, ns: 1e-9 };
  return parts.reduce((sum, p) => sum + Number(p[1]) * (unit[p[2] ?? 's'] ?? 1), 0);
}

/** Redis settings as the server sees them: config-file directives, then command-line flags (last wins). */
function redisSettings(redis: Service): Map<string, string> {
  const command = typeof redis.command === 'string' ? redis.command.split(/\s+/) : (redis.command ?? []);
  const settings = new Map<string, string>();
  const confPath = command.find((arg) => arg.endsWith('.conf'));
  if (confPath) {
    const mount = (redis.volumes ?? []).map((v) => v.split(':')).find(([, target]) => target === confPath);
    if (!mount?.[0]) throw new Error(`redis loads ${confPath} but no volume mounts it`);
    for (const line of readFileSync(path.resolve(repoRoot, mount[0]), 'utf8').split('\n')) {
      const [key, ...value] = line.trim().split(/\s+/);
      if (key && !key.startsWith('#')) settings.set(key.toLowerCase(), value.join(' '));
    }
  }
  command.forEach((arg, i) => {
    if (arg.startsWith('--')) settings.set(arg.slice(2).toLowerCase(), command[i + 1] ?? '');
  });
  return settings;
}

function healthTest(svc: Service): string {
  const test = svc.healthcheck?.test;
  return Array.isArray(test) ? test.join(' ') : (test ?? '');
}

describe('docker-compose.yml as docker-compose resolves it', () => {
  let services: Record<string, Service>;
  let demo: Record<string, Service>;
  let withMongo: Record<string, Service>;

  beforeAll(() => {
    requireDockerCompose();
    services = resolvedServices(['docker-compose.yml']);
    demo = resolvedServices(['docker-compose.yml', 'deploy/compose.simulators.yml'], ['--profile', 'simulators']);
    withMongo = resolvedServices(['docker-compose.yml', 'deploy/compose.mongodb.yml']);
  });

  test('redis keeps queued jobs across restarts and never evicts keys', () => {
    const redis = service(services, 'redis');
    expect(redis.image).toMatch(/^redis:7/);
    const settings = redisSettings(redis);
    expect(settings.get('appendonly')).toBe('yes');
    expect(settings.get('maxmemory-policy')).toBe('noeviction');
    expect(redis.volumes?.some((v) => /^[\w-]+:\/data(:|$)/.test(v))).toBe(true);
    expect(healthTest(redis)).toContain('redis-cli ping');
  });

  test('the default deployment keeps durable state in Redis: no mongo service, no MONGO_URL', () => {
    expect(services.mongo).toBeUndefined();
    for (const name of APPS) expect(service(services, name).environment?.MONGO_URL).toBeUndefined();
  });

  test('the MongoDB override adds mongo with its data in a volume, health, and MONGO_URL for every app', () => {
    const mongo = service(withMongo, 'mongo');
    expect(mongo.image).toMatch(/^mongo:7/);
    expect(mongo.volumes?.some((v) => /^[\w-]+:\/data\/db(:|$)/.test(v))).toBe(true);
    expect(healthTest(mongo)).toMatch(/ping/);
    for (const name of APPS) {
      const app = service(withMongo, name);
      expect(app.environment?.MONGO_URL).toMatch(/^mongodb:\/\/mongo:27017\//);
      expect(app.environment?.REDIS_URL).toMatch(/^redis:\/\/redis:6379/);
      expect(app.depends_on).toMatchObject({
        redis: { condition: 'service_healthy' },
        mongo: { condition: 'service_healthy' },
      });
    }
  });

  test.each(APPS)('%s restarts, shuts down gracefully and waits for healthy redis', (name) => {
    const app = service(services, name);
    expect(app.build?.args?.APP).toBe(name);
    expect(app.restart).toMatch(/^(unless-stopped|always)$/);
    expect(seconds(app.stop_grace_period)).toBeGreaterThanOrEqual(MIN_GRACE_SECONDS);
    expect(app.healthcheck?.disable).not.toBe(true);
    expect(healthTest(app)).toMatch(/healthcheck\.js|healthz/);
    expect(app.depends_on).toMatchObject({ redis: { condition: 'service_healthy' } });
  });

  test.each(APPS)('%s is built with its heap cap (HEAP_LIMIT_MB), which the image turns into NODE_OPTIONS', (name) => {
    expect(service(services, name).build?.args?.HEAP_MB).toBe(String(HEAP_LIMIT_MB[name as AppName]));
    const dockerfile = readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^ARG HEAP_MB=\d+$/m);
    expect(dockerfile).toMatch(/NODE_OPTIONS="--enable-source-maps --max-old-space-size=\$\{HEAP_MB\}"/);
  });

  test.each(APPS)('%s gets only the documented variables plus its health port', (name) => {
    const env = service(services, name).environment ?? {};
    const unknown = Object.keys(env).filter((key) => !CONTRACT_VARS.has(key) && !HEALTH_VARS.has(key));
    expect(unknown).toEqual([]);
    // ...and the config loader knows every one of them.
    expect(Object.keys(env).filter((key) => !(key in EnvSchema.shape))).toEqual([]);
    expect(env.HEALTH_PORT).toBe(String(HEALTH_PORTS[name]));
    expect(env.REDIS_URL).toMatch(/^redis:\/\/redis:6379/);
  });

  test('the push receiver is an opt-in service on WEBHOOK_PORT 3200 with health checks and documented variables', () => {
    const push = resolvedServices(['docker-compose.yml'], ['--profile', 'push']);
    const receiver = service(push, 'receiver');
    expect(receiver.profiles).toEqual(['push']);
    expect(receiver.build?.args?.APP).toBe('receiver');
    expect(receiver.build?.args?.HEAP_MB).toBe(String(HEAP_LIMIT_MB.receiver));
    expect(receiver.environment?.WEBHOOK_PORT).toBe('3200');
    expect(Object.keys(receiver.environment ?? {}).filter((k) => !CONTRACT_VARS.has(k) && !HEALTH_VARS.has(k))).toEqual(
      [],
    );
    // Its metrics are on the internal health port, which is not published; only 3200 faces the internet.
    expect(receiver.environment?.HEALTH_PORT).toBe('9104');
    expect(JSON.stringify(receiver.ports ?? [])).not.toContain('9104');
    expect(healthTest(receiver)).toMatch(/healthcheck\.js/);
    expect(seconds(receiver.stop_grace_period)).toBeGreaterThanOrEqual(MIN_GRACE_SECONDS);
    expect(receiver.depends_on).toMatchObject({ redis: { condition: 'service_healthy' } });
    const ports = (receiver.ports ?? []).map((p) => (typeof p === 'string' ? p : `${p.published}:${p.target}`));
    expect(ports.some((p) => /(^|:)3200:3200(\/tcp)?$/.test(p))).toBe(true);
  });

  test('the observability profile adds Prometheus, Grafana, a collector and Jaeger, published on loopback only', () => {
    const obs = resolvedServices(['docker-compose.yml'], ['--profile', 'observability']);
    for (const name of ['prometheus', 'grafana', 'otel-collector', 'jaeger']) {
      expect(service(obs, name).profiles).toEqual(['observability']);
      for (const p of service(obs, name).ports ?? []) expect(JSON.stringify(p)).toMatch(/127\.0\.0\.1/);
    }
    const scrape = yaml.load(readFileSync(path.join(repoRoot, 'deploy/prometheus/prometheus.yml'), 'utf8')) as {
      scrape_configs: Array<{ static_configs: Array<{ targets: string[] }> }>;
    };
    const targets = scrape.scrape_configs.flatMap((c) => c.static_configs.flatMap((t) => t.targets));
    // Prometheus scrapes each worker's health port by service name: the apps listen on the compose network
    // and answer that name, but never publish the port.
    for (const name of ['producer', 'transformer', 'writer']) {
      expect(targets).toContain(`${name}:${HEALTH_PORTS[name]}`);
      const env = service(obs, name).environment ?? {};
      expect(env.HEALTH_HOST).toBe('0.0.0.0');
      expect(String(env.HEALTH_ALLOWED_HOSTS).split(',')).toContain(name);
      expect(service(obs, name).ports ?? []).toEqual([]);
    }
  });

  test('the dashboard is published on port 3000', () => {
    const ports = (service(services, 'dashboard').ports ?? []).map((p) =>
      typeof p === 'string' ? p : `${p.published}:${p.target}`,
    );
    expect(ports.some((p) => /(^|:)3000:3000(\/tcp)?$/.test(p))).toBe(true);
  });

  test('the simulators profile points producer, transformer and writer at the simulator', () => {
    const simulator = service(demo, 'simulator');
    expect(simulator.profiles).toEqual(['simulators']);
    expect(simulator.build?.args?.APP).toBe('simulator');
    for (const name of ['producer', 'transformer', 'writer']) {
      const app = service(demo, name);
      expect(app.environment).toMatchObject({
        XIAOMAN_BASE_URL: 'http://simulator:4010',
        KINGDEE_BASE_URL: 'http://simulator:4020/k3cloud/',
      });
      expect(app.environment?.XIAOMAN_CLIENT_ID).toBeTruthy();
      expect(app.environment?.KINGDEE_PASSWORD).toBeTruthy();
      expect(Object.keys(app.environment ?? {}).filter((k) => !CONTRACT_VARS.has(k) && !HEALTH_VARS.has(k))).toEqual(
        [],
      );
      expect(app.depends_on).toMatchObject({ simulator: { condition: 'service_healthy' } });
    }
  });

  test('the writer gets the OKKI settings the producer gets: the active writer answers the receipt pages’ reconcile requests', () => {
    const okki = (name: string) =>
      Object.fromEntries(
        Object.entries(service(services, name).environment ?? {}).filter(([k]) => /^XIAOMAN_/.test(k)),
      );
    expect(okki('writer')).toMatchObject({
      XIAOMAN_BASE_URL: expect.any(String),
      XIAOMAN_CLIENT_ID: expect.any(String),
    });
    expect(okki('writer')).toEqual(okki('producer'));
  });

  test('a missing env file stops compose and names the file', () => {
    const run = composeConfig(['docker-compose.yml'], [], 'deploy/no-such.env');
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('no-such.env');
  });
});

describe("deploy/healthcheck.js (the containers' health probe)", () => {
  const execFileAsync = promisify(execFile);
  let server: http.Server;
  let port: number;
  let status = 200;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      res.writeHead(req.url === '/healthz' ? status : 404).end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function probe(healthPort: number): Promise<number> {
    const env = { ...process.env, APP: 'writer', HEALTH_PORT: String(healthPort), HEALTHCHECK_DEADLINE_MS: '2000' };
    try {
      await execFileAsync(process.execPath, [path.join(repoRoot, 'deploy/healthcheck.js')], { env });
      return 0;
    } catch (error) {
      return (error as { code?: number }).code ?? -1;
    }
  }

  test('healthy while /healthz answers 200, unhealthy on 503', async () => {
    status = 200;
    expect(await probe(port)).toBe(0);
    status = 503;
    expect(await probe(port)).toBe(1);
  });

  test('unhealthy when nothing listens on the health port', async () => {
    const spare = http.createServer();
    await new Promise<void>((resolve) => spare.listen(0, '127.0.0.1', resolve));
    const closedPort = (spare.address() as AddressInfo).port;
    await new Promise<void>((resolve) => spare.close(() => resolve()));
    expect(await probe(closedPort)).toBe(1);
  });
});
