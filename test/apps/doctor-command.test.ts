import { randomUUID } from 'node:crypto';
import IORedis from 'ioredis';
import { closeQueues, createQueues, PushState } from '@receipt-sync/pipeline';
import { startDemoEnvironment, type DemoEnvironment } from '@receipt-sync/simulators';
import { runCli } from './run-entry';
import { cleanPrefix, envFor, redisUrl } from '../e2e/helpers';
import { LocalRedis } from '../e2e/local-redis';

const LINE = /^(ok {2}|warn|FAIL|skip) [\w -]+: /;

describe('npm run cli -- doctor (operating contract)', () => {
  let demo: DemoEnvironment | undefined;
  const prefix = `doctor-${randomUUID().slice(0, 8)}`;
  afterEach(async () => {
    await demo?.close();
    demo = undefined;
  });
  afterAll(() => cleanPrefix(prefix));

  it('a healthy simulator tenant on a production-like Redis: every check ok, exit 0', async () => {
    const redis = new LocalRedis(await LocalRedis.freePort());
    await redis.start();
    try {
      demo = await startDemoEnvironment({ seed: 61, receipts: 40, orders: 10 });
      const { code, stdout } = await runCli(['doctor'], { ...envFor(demo, prefix), REDIS_URL: redis.url });
      const lines = stdout.trimEnd().split('\n');
      for (const line of lines.slice(0, -1)) expect(line).toMatch(LINE);
      expect(lines.at(-1)).toMatch(/^doctor: \d+ ok, 0 warnings, 0 failed$/);
      const okCount = Number(/^doctor: (\d+) ok/.exec(lines.at(-1)!)![1]);
      expect(okCount).toBe(lines.length - 1);
      expect(okCount).toBeGreaterThanOrEqual(13);
      for (const name of ['config', 'redis-eviction', 'redis-persistence', 'okki-token', 'k3cloud-metadata'])
        expect(stdout).toMatch(new RegExp(`^ok   ${name}: `, 'm'));
      expect(code).toBe(0);
    } finally {
      await redis.destroy();
    }
  }, 120_000);

  it('a tenant lacking mapped keys: one FAIL per missing key (lookup field, entry alias, row fields), exit 5', async () => {
    const missing = ['F_Cash_Collection_Id', 'F_PBLH_Entity_FEntryID', 'F_PBLH_Remark', 'F_PBLH_Freight'];
    demo = await startDemoEnvironment({ seed: 62, receipts: 20, orders: 5, lackingFields: { SAL_SaleOrder: missing } });
    const { code, stdout } = await runCli(['doctor'], envFor(demo, prefix));
    for (const key of missing) expect(stdout).toMatch(new RegExp(`^FAIL k3cloud-field ${key}: .*fix: `, 'm'));
    expect(stdout).toMatch(/^skip k3cloud-order-lookup: not checked until k3cloud-metadata passes$/m);
    expect(stdout.trimEnd().split('\n').at(-1)).toMatch(/^doctor: \d+ ok, \d+ warnings, 4 failed$/);
    expect(code).toBe(5);

    const json = await runCli(['doctor', '--json'], envFor(demo, prefix));
    expect(json.code).toBe(5);
    const report = JSON.parse(json.stdout.trim().split('\n').at(-1)!);
    expect(report.summary.failed).toBe(4);
    expect(
      report.results.filter((r: { status: string }) => r.status === 'fail').map((r: { name: string }) => r.name),
    ).toEqual(missing.map((k) => `k3cloud-field ${k}`));
  }, 120_000);

  it('names the active writer, and warns (never fails) while rows wait and none holds the writer lease', async () => {
    demo = await startDemoEnvironment({ seed: 65, receipts: 5, orders: 2 });
    const writerPrefix = `${prefix}-writer`;
    const admin = new IORedis(redisUrl);
    try {
      const none = await runCli(['doctor'], envFor(demo, writerPrefix));
      expect(none.stdout).toMatch(/^ok {3}writer: no writer has held the writer lease yet; 0 standbys$/m);
      const queues = createQueues(admin, writerPrefix);
      await queues.ready.add('row', { waiting: true } as never);
      await closeQueues(queues);
      const waiting = await runCli(['doctor'], envFor(demo, writerPrefix));
      expect(waiting.stdout).toMatch(
        /^warn writer: no writer has held the writer lease yet; 0 standbys, and 1 row\(s\) wait in ready — fix: start a writer/m,
      );
      expect(waiting.code).toBe(0);
      const holder = JSON.stringify({ id: 'w1', process: 'writer', host: 'erp-sync-2', pid: 4242 });
      await admin.set(
        `${writerPrefix}:writer:lease`,
        `3 ${Date.parse('2025-04-16T02:00:00Z')} ${holder}`,
        'PX',
        60_000,
      );
      const held = await runCli(['doctor'], envFor(demo, writerPrefix));
      expect(held.stdout).toMatch(
        /^ok {3}writer: active writer: writer on erp-sync-2 \(pid 4242\), since 2025-04-16 10:00:00 China time \(lease #3\); 0 standbys$/m,
      );
    } finally {
      await admin.quit();
      await cleanPrefix(writerPrefix);
    }
  }, 120_000);

  it('names a Redis that may evict queue keys as a failure', async () => {
    demo = await startDemoEnvironment({ seed: 63, receipts: 5, orders: 2 });
    const local = new LocalRedis(await LocalRedis.freePort());
    await local.start();
    const admin = new IORedis(local.url);
    try {
      await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
      const { code, stdout } = await runCli(['doctor'], { ...envFor(demo, prefix), REDIS_URL: local.url });
      expect(stdout).toMatch(
        /^FAIL redis-eviction: maxmemory-policy is allkeys-lru.*fix: set maxmemory-policy noeviction$/m,
      );
      expect(code).toBe(5);
    } finally {
      await admin.quit();
      await local.destroy();
    }
  }, 120_000);

  it('reports OKKI push: a warning while no message has arrived, ok once one has (never a failure)', async () => {
    demo = await startDemoEnvironment({ seed: 64, receipts: 5, orders: 2 });
    const secret = Buffer.alloc(32, 8).toString('base64');
    const env = { ...envFor(demo, prefix), XIAOMAN_WEBHOOK_SECRET: secret };
    const before = await runCli(['doctor'], env);
    expect(before.stdout).toMatch(
      /^warn okki-push: push is configured but no message has arrived yet.*webhook register/m,
    );
    expect(before.stdout).not.toContain(secret);
    const redis = new IORedis(redisUrl);
    try {
      await new PushState(redis, prefix).markMessage(new Date());
    } finally {
      await redis.quit();
    }
    const after = await runCli(['doctor'], env);
    expect(after.stdout).toMatch(/^ok {3}okki-push: push is configured; last message \d+ s ago$/m);
  }, 120_000);

  it('bad configuration is a failed check naming the variable, without printing secrets', async () => {
    const { code, stdout } = await runCli(['doctor'], {
      PATH: process.env.PATH,
      REDIS_URL: redisUrl,
      XIAOMAN_CLIENT_SECRET: 'top-secret-value',
      KINGDEE_LOCKED_ORDER_POLICY: 'sometimes',
    });
    expect(stdout).toMatch(/^FAIL config: .*KINGDEE_LOCKED_ORDER_POLICY must be 'wait' or 'unaudit'/m);
    expect(stdout).toMatch(/^FAIL config: .*XIAOMAN_CLIENT_ID must be set/m);
    expect(stdout).toMatch(/^skip k3cloud-metadata: not checked until k3cloud-login passes$/m);
    expect(stdout).toMatch(/^doctor: 0 ok, 0 warnings, 1 failed$/m);
    expect(stdout).not.toContain('top-secret-value');
    expect(code).toBe(5);
  }, 60_000);
});
