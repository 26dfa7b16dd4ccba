/**
 * `npm run bench:search`: how fast the dashboard answers "where is receipt HK…?" with 100,000
 * receipts in the store. Seeds a fresh QUEUE_PREFIX through the store's own write path (the same
 * CAS and index updates the pipeline uses), serves the real dashboard router over HTTP with Basic
 * auth, and times sequential look-ups by each kind of key, plus a full-scan baseline in the same
 * run. Prints p50/p95 and writes bench-results/search.json. Cleans its prefix up afterwards.
 *
 * BENCH_SEARCH_RECEIPTS (default 100000) and BENCH_SEARCH_SAMPLES (default 300) size the run.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { startHealthServer } from '@receipt-sync/core';
import { createDashboard } from '@receipt-sync/dashboard';
import { closeQueues, createQueues, createRedisConnection } from '@receipt-sync/pipeline';
import { createStore, type SyncStore } from '@receipt-sync/store';
import { createRng, generateDataset, type OkkiReceiptRecord, type Rng } from '@receipt-sync/simulators';
import { REPO_ROOT } from './processes';
import { cleanupPrefix } from './redis-keys';
import { seedStore } from './search-seed';
import { percentile, type Timing } from './search-stats';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const RECEIPTS = Number(process.env.BENCH_SEARCH_RECEIPTS ?? 100_000);
const SAMPLES = Number(process.env.BENCH_SEARCH_SAMPLES ?? 300);
const AUTH = { username: 'bench', password: randomBytes(12).toString('hex') };

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(0, items.length - 1)]!;
}

async function timed(url: string, expect: number): Promise<number> {
  const header = `Basic ${Buffer.from(`${AUTH.username}:${AUTH.password}`).toString('base64')}`;
  const started = performance.now();
  const res = await fetch(url, { headers: { authorization: header } });
  await res.arrayBuffer();
  const ms = performance.now() - started;
  if (res.status !== expect) throw new Error(`${url} answered ${res.status}, expected ${expect}`);
  return ms;
}

async function measure(name: string, keys: string[], url: (key: string) => string, expect = 200): Promise<Timing> {
  const ms: number[] = [];
  for (const key of keys) ms.push(await timed(url(encodeURIComponent(key)), expect));
  const t = { name, samples: ms.length, p50: percentile(ms, 50), p95: percentile(ms, 95), max: Math.max(...ms) };
  console.log(
    `  ${name.padEnd(52)} p50 ${t.p50.toFixed(1).padStart(6)} ms  p95 ${t.p95.toFixed(1).padStart(6)} ms  max ${t.max.toFixed(1).padStart(6)} ms`,
  );
  return t;
}

async function usedMemory(redis: { info(section: string): Promise<string> }): Promise<number> {
  const match = /used_memory:(\d+)/.exec(await redis.info('memory'));
  return Number(match?.[1] ?? 0) / 2 ** 20;
}

/** Baseline: what finding a receipt number costs without the index (page through the whole ledger). */
async function scanFor(store: SyncStore, receiptNo: string): Promise<number> {
  const started = performance.now();
  let after: string | undefined;
  for (;;) {
    const page = await store.ledger.list({ limit: 1000, after });
    if (page.some((e) => e.receiptNo === receiptNo) || page.length < 1000) break;
    after = page[page.length - 1]!.receiptId;
  }
  return performance.now() - started;
}

async function main(): Promise<void> {
  const prefix = `bench-search-${randomBytes(4).toString('hex')}`;
  const connection = createRedisConnection(REDIS_URL, { maxRetriesPerRequest: 3 });
  const queues = createQueues(connection, prefix);
  const store = createStore({ redis: connection, prefix });
  await store.init();
  const stop = async () => {
    await closeQueues(queues);
    await store.close();
    await connection.quit();
    await cleanupPrefix(REDIS_URL, prefix);
  };
  try {
    console.log(`▶ search latency: ${RECEIPTS} receipts (demo sample data, seed 12), ${SAMPLES} look-ups per key kind`);
    const data = generateDataset({ seed: 12, receipts: RECEIPTS, orders: Math.ceil(RECEIPTS / 4) });
    const seedStarted = performance.now();
    const memoryBefore = await usedMemory(connection);
    await seedStore(store, queues, data);
    // Other work on the shared Redis moves this too: an indication, not a measurement of our keys alone.
    const storeMb = (await usedMemory(connection)) - memoryBefore;
    console.log(
      `  seeded in ${((performance.now() - seedStarted) / 1000).toFixed(0)} s; Redis used_memory grew by ${storeMb.toFixed(0)} MB`,
    );
    const counts = await store.ledger.countByStatus();
    console.log(`  ledger: ${JSON.stringify(counts)}`);

    const server = await startHealthServer({
      port: 0,
      host: '127.0.0.1',
      checks: {},
      extraRoutes: (app) =>
        app.use(
          createDashboard({
            queues,
            store,
            logger: { info: () => undefined, warn: () => undefined, error: () => undefined } as never,
            auth: { ...AUTH, localOnly: false },
          }),
        ),
    });
    try {
      const rng = createRng(7);
      const withOrder = data.receipts.filter((r: OkkiReceiptRecord) => r.order_id !== 0);
      const sample = Array.from({ length: SAMPLES }, () => pick(rng, withOrder));
      const bills = data.orders.map((o) => o.FBillNo);
      const api = (key: string) => `${server.url}/api/receipts/${key}`;
      // Warm-up: connections, JIT.
      for (const r of sample.slice(0, 20)) await timed(api(r.cash_collection_no), 200);
      const timings = [
        await measure(
          'API by receipt number (cash_collection_no)',
          sample.map((r) => r.cash_collection_no),
          api,
        ),
        await measure(
          'API by receipt id',
          sample.map((r) => String(r.cash_collection_id)),
          api,
        ),
        await measure(
          'API by K3Cloud FBillNo (order and its receipts)',
          Array.from({ length: SAMPLES }, () => pick(rng, bills)),
          api,
        ),
        await measure(
          'API by OKKI order id (order and its receipts)',
          sample.map((r) => String(r.order_id)),
          api,
        ),
        await measure(
          'API for an unknown key (404)',
          sample.map((_, i) => `HK-missing-${i}`),
          api,
          404,
        ),
        await measure(
          'page: search box → redirect → receipt page',
          sample.map((r) => r.cash_collection_no),
          (key) => `${server.url}/receipts?q=${key}`,
        ),
        await measure(
          'status page (counts, causes, lists, charts)',
          sample.slice(0, 30).map(() => ''),
          () => `${server.url}/`,
        ),
        await measure(
          'dead letters filtered by code, page 20',
          sample.slice(0, 30).map(() => ''),
          () => `${server.url}/api/failures?queue=dead-letter&code=k3cloud.order-not-found&page=20`,
        ),
      ];
      const scans: number[] = [];
      for (const r of sample.slice(0, 5)) scans.push(await scanFor(store, r.cash_collection_no));
      const scanP50 = percentile(scans, 50);
      const indexP50 = timings[0]!.p50;
      console.log(
        `  baseline: the same receipt-number look-up by scanning the ledger: p50 ${scanP50.toFixed(0)} ms (${scans.length} samples) → the index answers ${(scanP50 / indexP50).toFixed(0)}× faster`,
      );
      const verdict = timings.slice(0, 6).every((t) => t.p95 < 200);
      console.log(`  target: every search p95 < 200 ms at ${RECEIPTS} receipts → ${verdict ? 'met' : 'NOT met'}`);
      const dir = join(REPO_ROOT, 'bench-results');
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        join(dir, 'search.json'),
        `${JSON.stringify(
          {
            date: new Date().toISOString(),
            machine: { nproc: cpus().length, cpu: cpus()[0]?.model.trim(), loadAverage: loadavg()[0] },
            receipts: RECEIPTS,
            ledger: counts,
            redisMemoryGrowthMb: storeMb,
            timings,
            baselineScanP50Ms: scanP50,
            targetMet: verdict,
          },
          null,
          2,
        )}\n`,
      );
      console.log('  wrote bench-results/search.json');
      if (!verdict) process.exitCode = 1;
    } finally {
      await server.close();
    }
  } finally {
    await stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
