import { ConfigError } from '../errors';
import { translator } from '../i18n';
import { DashboardEnvSchema, errorText, loadConfig, secretsOf } from '.';

describe('loadConfig', () => {
  it('applies the documented defaults (docs/operations.md#configuration)', () => {
    const c = loadConfig({});
    expect(c.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(c.queuePrefix).toBe('rsync');
    expect(c.mongoUrl).toBeUndefined();
    expect(c.env.XIAOMAN_BASE_URL).toBe('https://api-sandbox.xiaoman.cn');
    expect(c.env.XIAOMAN_PAGE_SIZE).toBe(100);
    expect(c.env.XIAOMAN_MAX_RPS).toBe(5);
    expect(c.env.KINGDEE_LCID).toBe(2052);
    expect(c.env.KINGDEE_MAX_CONCURRENCY).toBe(4);
    expect(c.env.KINGDEE_BATCH_SIZE).toBe(50);
    expect(c.env.KINGDEE_LOCKED_ORDER_POLICY).toBe('wait');
    expect(c.sync).toEqual({
      startTime: undefined,
      intervalSeconds: 300,
      lookbackSeconds: 120,
      safetyLagSeconds: 5,
      stuckMs: 900_000,
      lanes: true,
    });
    expect(c.okki).toBeUndefined();
    expect(c.k3cloud).toBeUndefined();
  });

  it('builds client settings and normalises the K3Cloud site path', () => {
    const c = loadConfig({
      XIAOMAN_CLIENT_ID: 'id',
      XIAOMAN_CLIENT_SECRET: 's3cret-value',
      KINGDEE_BASE_URL: 'http://erp.example.com/k3cloud',
      KINGDEE_ACCT_ID: 'acct',
      KINGDEE_USERNAME: 'u',
      KINGDEE_PASSWORD: 'pw-value',
      XIAOMAN_ENRICH_BANK: 'false',
    });
    expect(c.k3cloud?.baseUrl).toBe('http://erp.example.com/k3cloud/');
    expect(c.okki?.enrichBank).toBe(false);
    expect(secretsOf(c)).toEqual(['s3cret-value', 'pw-value']);
  });

  it('names every bad variable and never echoes a value', () => {
    let error: unknown;
    try {
      loadConfig({
        XIAOMAN_PAGE_SIZE: 'lots',
        KINGDEE_BATCH_SIZE: '0',
        SYNC_START_TIME: '2025/01/01',
        XIAOMAN_CLIENT_SECRET: 'only-the-secret-xyz',
        KINGDEE_BASE_URL: 'http://erp/k3cloud/',
        QUEUE_PREFIX: 'a:b',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of [
      'XIAOMAN_PAGE_SIZE',
      'KINGDEE_BATCH_SIZE',
      'SYNC_START_TIME',
      'XIAOMAN_CLIENT_ID',
      'KINGDEE_ACCT_ID',
      'KINGDEE_PASSWORD',
      'QUEUE_PREFIX',
    ]) {
      expect(message).toContain(name);
    }
    expect(message).not.toContain('only-the-secret-xyz');
  });

  it('says each bad variable, what is wrong and how to fix it in the reader’s language', () => {
    let error: unknown;
    try {
      loadConfig({
        KINGDEE_BATCH_SIZE: '0',
        XIAOMAN_PAGE_SIZE: 'lots',
        SYNC_START_TIME: '2025/01/01',
        XIAOMAN_CLIENT_ID: 'x',
      });
    } catch (e) {
      error = e;
    }
    const zh = errorText(error, translator('zh-CN'));
    expect(zh.split('\n')[0]).toBe('配置有误：');
    expect(zh).toContain('  - KINGDEE_BATCH_SIZE 不能小于 1');
    expect(zh).toContain('  - XIAOMAN_PAGE_SIZE 必须是数字');
    expect(zh).toContain("  - SYNC_START_TIME 必须写成 'YYYY-MM-DD HH:mm:ss'（北京时间）");
    expect(zh).toContain('  - XIAOMAN_CLIENT_SECRET 必须与 XIAOMAN_CLIENT_ID 一起设置');
    expect(zh.split('\n').at(-1)).toMatch(/^请在环境变量（或 \.env）中更正所列变量后重新启动/);
    const en = errorText(error, translator('en'));
    expect(en).toContain('  - KINGDEE_BATCH_SIZE must be at least 1');
    expect(en).toContain('  - XIAOMAN_PAGE_SIZE must be a number');
    expect(en.split('\n').at(-1)).toMatch(/^Correct the variables named/);
  });

  it('accepts app-secret login without a password', () => {
    const c = loadConfig({
      KINGDEE_BASE_URL: 'http://erp/k3cloud/',
      KINGDEE_ACCT_ID: 'a',
      KINGDEE_USERNAME: 'u',
      KINGDEE_APP_ID: '1_x',
      KINGDEE_APP_SECRET: 'y',
    });
    expect(c.k3cloud?.appId).toBe('1_x');
  });

  it('takes KINGDEE_LOCKED_ORDER_POLICY wait or unaudit and names it when it is anything else', () => {
    const k3 = { KINGDEE_BASE_URL: 'http://erp/k3cloud/', KINGDEE_ACCT_ID: 'a', KINGDEE_USERNAME: 'u' };
    const c = loadConfig({ ...k3, KINGDEE_PASSWORD: 'p', KINGDEE_LOCKED_ORDER_POLICY: 'unaudit' });
    expect(c.k3cloud?.lockedOrderPolicy).toBe('unaudit');
    expect(loadConfig({ ...k3, KINGDEE_PASSWORD: 'p' }).k3cloud?.lockedOrderPolicy).toBe('wait');
    expect(() => loadConfig({ KINGDEE_LOCKED_ORDER_POLICY: 'force' })).toThrow(
      /KINGDEE_LOCKED_ORDER_POLICY must be 'wait' or 'unaudit'/,
    );
  });

  describe('Redis Cluster (REDIS_CLUSTER_NODES)', () => {
    it('replaces REDIS_URL with the node list and accepts a hash-tagged prefix', () => {
      const c = loadConfig({
        REDIS_CLUSTER_NODES: '10.0.0.1:7001, redis-b:7002',
        REDIS_URL: 'redis://:pw@ignored:6379',
        QUEUE_PREFIX: '{rsync}',
      });
      expect(c.redis.clusterNodes).toEqual([
        { host: '10.0.0.1', port: 7001 },
        { host: 'redis-b', port: 7002 },
      ]);
      expect(c.queuePrefix).toBe('{rsync}');
    });

    it('refuses an untagged QUEUE_PREFIX, the default included, saying how to fix it', () => {
      for (const prefix of [undefined, 'rsync']) {
        expect(() => loadConfig({ REDIS_CLUSTER_NODES: '127.0.0.1:7001', QUEUE_PREFIX: prefix })).toThrow(
          /QUEUE_PREFIX must be hash-tagged when REDIS_CLUSTER_NODES is set, e\.g\. QUEUE_PREFIX=\{rsync\}/,
        );
      }
    });

    it('rejects a node list that is not host:port pairs', () => {
      expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'redis://a:7001', QUEUE_PREFIX: '{rsync}' })).toThrow(
        /REDIS_CLUSTER_NODES must be host:port/,
      );
    });

    it('allows one leading hash tag in QUEUE_PREFIX and nothing else with braces', () => {
      expect(loadConfig({ QUEUE_PREFIX: '{rsync}-eu' }).queuePrefix).toBe('{rsync}-eu');
      expect(loadConfig({}).redis.clusterNodes).toBeUndefined();
      for (const bad of ['rs{ync}', '{}', '{a}{b}', '{rsync', '{rs:ync}'])
        expect(() => loadConfig({ QUEUE_PREFIX: bad })).toThrow(/QUEUE_PREFIX/);
    });
  });
});

describe('languages and log format (issue 17)', () => {
  it('DASHBOARD_LOCALE and ALERT_LOCALE take zh-CN or en; LOG_FORMAT json or pretty; each named when wrong', () => {
    expect(DashboardEnvSchema.parse({})).toMatchObject({ ALERT_LOCALE: 'zh-CN' });
    expect(DashboardEnvSchema.parse({}).DASHBOARD_LOCALE).toBeUndefined();
    expect(DashboardEnvSchema.parse({ DASHBOARD_LOCALE: 'en', ALERT_LOCALE: 'en' })).toMatchObject({
      DASHBOARD_LOCALE: 'en',
      ALERT_LOCALE: 'en',
    });
    expect(loadConfig({}).logFormat).toBeUndefined();
    expect(loadConfig({ LOG_FORMAT: 'json' }).logFormat).toBe('json');
    const bad = DashboardEnvSchema.safeParse({ DASHBOARD_LOCALE: 'zh-TW' });
    expect(bad.success).toBe(false);
    expect(() => loadConfig({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT/);
  });
});
