import { randomUUID } from 'node:crypto';
import { runCli, startApp } from './run-entry';
import { cleanPrefix, redisUrl } from '../e2e/helpers';

/** Issue 17, problem 9: the terminal speaks the operator's language and points at the right place. */
const prefix = `term-${randomUUID().slice(0, 8)}`;
afterAll(() => cleanPrefix(prefix));

describe('doctor without OKKI or K3Cloud settings', () => {
  it('still checks Redis and the store, in Chinese under LANG=zh_CN', async () => {
    const { code, stdout } = await runCli(['doctor'], {
      PATH: process.env.PATH,
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: prefix,
      LANG: 'zh_CN.UTF-8',
    });
    expect(stdout).toMatch(/^通过 config: /m);
    expect(stdout).toMatch(/^失败 systems: not configured: XIAOMAN_CLIENT_ID.* — 处理：请设置它们/m);
    expect(stdout).toMatch(/^通过 redis: Redis at .* answers$/m);
    expect(stdout).toMatch(/^通过 store: /m);
    expect(stdout).toMatch(/^跳过 okki-token：systems 通过后才检查$/m);
    expect(stdout.trimEnd().split('\n').at(-1)).toMatch(/^doctor：\d+ 项通过，\d+ 项警告，\d+ 项失败$/);
    expect(code).toBe(5);
  }, 60_000);
});

describe('cli status on a prefix with nothing in it', () => {
  it('says so and names the demo’s prefix, in the language asked for', async () => {
    const env = { PATH: process.env.PATH, REDIS_URL: redisUrl, QUEUE_PREFIX: prefix, LANG: 'zh_CN.UTF-8' };
    const zh = await runCli(['status'], env);
    expect(zh.stdout).toContain(`前缀 ${prefix} 下还没有任何数据`);
    expect(zh.stdout).toContain('QUEUE_PREFIX=rsync-demo npm run cli -- status');
    const en = await runCli(['status', '--lang', 'en'], env);
    expect(en.stdout).toContain(`Nothing under prefix ${prefix} yet`);
    expect(en.code).toBe(0);
  }, 60_000);
});

describe('npm run simulate', () => {
  it('binds the simulators to loopback and prints loopback URLs', async () => {
    const app = startApp('simulator', {
      PATH: process.env.PATH,
      SIM_OKKI_PORT: '0',
      SIM_K3_PORT: '0',
      SIM_RECEIPTS: '5',
      SIM_ORDERS: '2',
    });
    try {
      const printed = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URLs printed: ${app.output()}`)), 30_000);
        app.child.stdout!.on('data', () => {
          if (/K3Cloud simulator:/.test(app.output())) {
            clearTimeout(timer);
            resolve(app.output());
          }
        });
      });
      expect(printed).toMatch(/OKKI simulator: +http:\/\/127\.0\.0\.1:\d+/);
      expect(printed).toMatch(/K3Cloud simulator: http:\/\/127\.0\.0\.1:\d+/);
      expect(printed).not.toContain('0.0.0.0');
    } finally {
      app.child.kill('SIGTERM');
      await app.exited;
    }
  }, 60_000);
});
