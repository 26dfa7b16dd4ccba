import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import IORedis from 'ioredis';
import { createLogger, loadConfig } from '@receipt-sync/core';
import { createRuntime, startPushReceiver, type Runtime } from '@receipt-sync/pipeline';
import { startDemoEnvironment, type DemoEnvironment } from '@receipt-sync/simulators';
import type { HealthServer } from '@receipt-sync/core';
import { REPO_ROOT, type CliRun } from './run-cli';

/** Async, so the receiver in this process can answer while the CLI runs. */
function runCliAsync(args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'apps/cli/src/main.ts', ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, LOG_LEVEL: 'silent', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
const last = (run: CliRun) => JSON.parse(run.stdout.trim().split('\n').pop() ?? '') as Record<string, unknown>;

describe('npm run cli -- webhook register | subscribe | test | status', () => {
  let demo: DemoEnvironment;
  let rt: Runtime | undefined;
  let receiver: HealthServer | undefined;
  const prefix = `cli-webhook-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    demo = await startDemoEnvironment({ seed: 2, receipts: 5, orders: 3 });
  });
  afterAll(async () => {
    await receiver?.close();
    await rt?.close();
    await demo.close();
    const redis = new IORedis('redis://127.0.0.1:6379');
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('registers the receiver, subscribes receipts, and a test message reaches the receiver', async () => {
    const base = { ...demo.env, QUEUE_PREFIX: prefix, REDIS_URL: 'redis://127.0.0.1:6379' };
    expect((await runCliAsync(['webhook', 'register', '--url', 'http://127.0.0.1:1/wrong'], base)).status).toBe(2);

    // The receiver's port must be known before registering; its secret only after.
    const probe = await startPushReceiverOnFreePort(base);
    const url = `${probe.url}/okki/webhook`;
    await probe.close();
    const port = new URL(url).port;
    const reg = await runCliAsync(['webhook', 'register', '--url', url, '--json'], base);
    expect(reg.status).toBe(0);
    const secret = String(last(reg).security_config);
    expect(Buffer.from(secret, 'base64')).toHaveLength(32);
    expect(demo.okki.push.callbackUrl).toBe(url);

    const env = { ...base, XIAOMAN_WEBHOOK_SECRET: secret, WEBHOOK_PORT: port };
    rt = await createRuntime(loadConfig(env), {
      name: 'receiver-under-test',
      logger: createLogger({ name: 't', level: 'silent' }),
    });
    receiver = await startPushReceiver(rt);

    const sub = await runCliAsync(['webhook', 'subscribe'], env);
    expect(sub.status).toBe(0);
    expect([...demo.okki.push.subscriptions].sort()).toEqual(
      ['create', 'delete', 'update'].map((e) => `xiaoman.crm.cash_collection.${e}`),
    );

    const before = await runCliAsync(['webhook', 'status', '--json'], env);
    expect(last(before)).toMatchObject({ configured: true, level: 'warn' });
    const test = await runCliAsync(['webhook', 'test'], env);
    expect(test.stdout).toContain('the receiver acknowledged it');
    expect(test.status).toBe(0);
    const after = await runCliAsync(['webhook', 'status', '--json'], env);
    expect(last(after)).toMatchObject({ configured: true, level: 'ok' });
    expect(typeof last(after).lastMessageAt).toBe('string');
    expect(after.stdout).not.toContain(secret);
  }, 120_000);
});

/** A throwaway receiver on port 0 just to learn a free port (any valid secret will do). */
async function startPushReceiverOnFreePort(env: NodeJS.ProcessEnv): Promise<{ url: string; close(): Promise<void> }> {
  const config = loadConfig({ ...env, XIAOMAN_WEBHOOK_SECRET: Buffer.alloc(32, 1).toString('base64') });
  const probeRt = await createRuntime(config, { name: 'probe', logger: createLogger({ name: 'p', level: 'silent' }) });
  const server = await startPushReceiver(probeRt, 0);
  return {
    url: server.url,
    close: async () => {
      await server.close();
      await probeRt.close();
    },
  };
}
