import { randomUUID } from 'node:crypto';
import { runCli, runSyncOnce, startApp } from './run-entry';
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
    expect(stdout).toMatch(/^失败 systems: 未配置：XIAOMAN_CLIENT_ID.* — 处理：请设置它们/m);
    expect(stdout).toMatch(/^通过 redis: Redis（redis:\/\/127\.0\.0\.1:6379\/?）有响应$/m);
    // What a check found is said in Chinese too, not only the fix.
    expect(stdout).toMatch(/^通过 writer: 还没有写入进程持有写入租约；0 个热备$/m);
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

describe('CLI commands in Chinese', () => {
  const zhEnv = { PATH: process.env.PATH, REDIS_URL: redisUrl, QUEUE_PREFIX: prefix, LANG: 'zh_CN.UTF-8' };

  it('status names the writer (who holds the writer lease, standbys) in Chinese; --lang en forces English', async () => {
    const zh = await runCli(['status'], zhEnv);
    expect(zh.stdout).toMatch(/^还没有写入进程持有写入租约；0 个热备$/m);
    const en = await runCli(['status', '--lang', 'en'], zhEnv);
    expect(en.stdout).toMatch(/^no writer has held the writer lease yet; 0 standbys$/m);
  }, 60_000);

  it('--help is in Chinese too: the command, its options and the exit codes', async () => {
    const run = await runCli(['dlq', 'replay', '--help'], zhEnv);
    expect(run.stdout).toMatch(/^用法： receipt-sync dlq replay/m);
    expect(run.stdout).toContain('把写入失败记录作为新任务放回原来的队列（重放）');
    expect(run.stdout).toMatch(/^退出码：$/m);
    expect(run.code).toBe(0);
  }, 60_000);

  it('a usage mistake is explained in Chinese, with exit 2', async () => {
    const run = await runCli(['dlq', 'replay'], zhEnv);
    expect(run.stderr).toContain('错误：请用 --id <id>… 指明要重放的写入失败记录，或使用 --all');
    expect(run.code).toBe(2);
  }, 60_000);
});

describe('configuration errors at start-up', () => {
  it('sync:once names each bad variable, what is wrong and the fix, in Chinese under LC_ALL=zh_CN', async () => {
    const run = await runSyncOnce({
      PATH: process.env.PATH,
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: prefix,
      LC_ALL: 'zh_CN.UTF-8',
      KINGDEE_BATCH_SIZE: '0',
      KINGDEE_LOCKED_ORDER_POLICY: 'force',
    });
    expect(run.stderr).toContain('sync:once 无法运行：配置有误：');
    expect(run.stderr).toContain('  - KINGDEE_BATCH_SIZE 不能小于 1');
    expect(run.stderr).toContain("  - KINGDEE_LOCKED_ORDER_POLICY 必须是 'wait' 或 'unaudit'");
    expect(run.stderr).toContain('请在环境变量（或 .env）中更正所列变量后重新启动');
    expect(run.code).toBe(1);
  }, 60_000);

  it('the CLI says the same in English without a Chinese locale', async () => {
    const run = await runCli(['status'], { PATH: process.env.PATH, REDIS_URL: redisUrl, KINGDEE_BATCH_SIZE: '0' });
    expect(run.stderr).toContain('error: invalid configuration:');
    expect(run.stderr).toContain('  - KINGDEE_BATCH_SIZE must be at least 1');
    expect(run.code).toBe(1);
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
