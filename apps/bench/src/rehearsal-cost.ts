/**
 * What a go-live rehearsal costs against the simulators, next to the sync:once that follows it on
 * the same fresh deployment: wall time, OKKI requests and K3Cloud calls of each (docs/benchmarks.md).
 * `npx tsx apps/bench/src/rehearsal-cost.ts [receipts] [XIAOMAN_MAX_RPS]` (default 5000 receipts, the
 * contract's 5 requests per second); other variables from the environment; Redis on REDIS_URL.
 */
import { randomUUID } from 'node:crypto';
import IORedis from 'ioredis';
import { deleteKeys, loadConfig, scanKeys } from '@receipt-sync/core';
import { createApiClients, openStore, rehearsalDeps, rehearse, syncOnce } from '@receipt-sync/pipeline';
import { DEFAULT_MAPPING } from '@receipt-sync/mapping';
import { createLogger } from '@receipt-sync/core';
import { startDemoEnvironment, type DemoEnvironment } from '@receipt-sync/simulators';

const receipts = Number(process.argv[2] ?? 5000);
const maxRps = process.argv[3];
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

function envOf(demo: DemoEnvironment, prefix: string): NodeJS.ProcessEnv {
  return {
    ...demo.env,
    ...process.env,
    ...(maxRps ? { XIAOMAN_MAX_RPS: maxRps } : {}),
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'silent',
    SYNC_SAFETY_LAG_SECONDS: '0',
    ORDER_WAIT_DELAYS: '1,1',
  };
}

function calls(demo: DemoEnvironment) {
  const okki = demo.okki.stats.requests;
  const k3 = demo.k3.stats.calls as Record<string, number>;
  return {
    okkiList: okki['receipt.list'],
    okkiInfo: okki['receipt.info'],
    k3Query: k3.ExecuteBillQuery ?? 0,
    k3Save: k3.BatchSave ?? 0,
  };
}

async function main(): Promise<void> {
  const demo = await startDemoEnvironment({ seed: 5, receipts, orders: Math.ceil(receipts / 5) });
  const prefix = `bench-rehearsal-${randomUUID().slice(0, 8)}`;
  const redis = new IORedis(redisUrl);
  try {
    const env = envOf(demo, prefix);
    const config = loadConfig(env);
    const logger = createLogger({ name: 'bench', level: 'silent' });
    const store = openStore(config, redis);
    const { okki, k3 } = createApiClients(config, { okki: true, k3: true, redis, logger });
    const window = { start: config.sync.startTime!, end: '2099-01-01 00:00:00' };
    demo.okki.resetStats();
    demo.k3.resetStats();
    let t0 = performance.now();
    const report = await rehearse(
      rehearsalDeps({ config, connection: redis, store, mapping: DEFAULT_MAPPING, okki: okki!, k3: k3! }),
      window,
    );
    const rehearsalMs = performance.now() - t0;
    const rehearsalCalls = calls(demo);
    await Promise.all([okki!.close(), k3!.close()]);
    demo.okki.resetStats();
    demo.k3.resetStats();
    t0 = performance.now();
    const sync = await syncOnce(env);
    const syncMs = performance.now() - t0;
    const out = {
      receipts,
      xiaomanMaxRps: config.okki!.maxRps,
      enrichBank: config.okki!.enrichBank,
      kingdeeMaxConcurrency: config.k3cloud!.maxConcurrency,
      batchSize: config.k3cloud!.batchSize,
      rehearsal: { ms: Math.round(rehearsalMs), totals: report.totals, calls: rehearsalCalls },
      syncOnce: { ms: Math.round(syncMs), summary: sync, calls: calls(demo) },
    };
    console.log(JSON.stringify(out, null, 2));
  } finally {
    await deleteKeys(redis, await scanKeys(redis, `${prefix}*`));
    await redis.quit();
    await demo.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
