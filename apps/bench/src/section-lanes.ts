import { randomBytes } from 'node:crypto';
import { createLogger, formatChinaTime, loadConfig } from '@receipt-sync/core';
import {
  createRuntime,
  percentile,
  receiptVersionKey,
  runFixedWindow,
  windowDeps,
  startPushReceiver,
  startPushStage,
  startTransformerStage,
  startWriterStage,
  waitUntilDrained,
} from '@receipt-sync/pipeline';
import { createRng, mutateReceipt, startDemoEnvironment, type DemoEnvironment } from '@receipt-sync/simulators';
import type { BenchOptions } from './options';
import { benchPrefix, cleanupPrefix } from './redis-keys';
import type { LanesResults, LanesRun } from './results';

const EVENTS = ['create', 'update', 'delete'].map((e) => `xiaoman.crm.cash_collection.${e}`);

/**
 * Live under load (issue 22): a backfill into the bulk lane at realistic latency, alone and with an
 * OKKI push edit every 0.5 s while it runs, with lanes on and with SYNC_LANES=false. Push freshness
 * during the backfill, and the backfill's throughput with and without the live traffic.
 */
export async function runLanesSection(options: BenchOptions, runId: string): Promise<LanesResults> {
  const receipts = options.sizes.lanesReceipts;
  const runs: LanesRun[] = [];
  for (const [lanes, live] of [
    [true, false],
    [true, true],
    [false, true],
    [false, false],
  ] as const)
    runs.push(await lanesRun(options, runId, receipts, lanes, live));
  return { receipts, runs };
}

async function lanesRun(
  o: BenchOptions,
  runId: string,
  receipts: number,
  lanes: boolean,
  live: boolean,
): Promise<LanesRun> {
  const p = o.realistic;
  const secret = randomBytes(32).toString('base64');
  const demo = await startDemoEnvironment({
    seed: o.seed,
    receipts,
    orders: Math.ceil(receipts / o.receiptsPerOrder),
    okkiFaults: {
      latencyMs: p.okkiLatencyMs,
      rateLimit: p.okkiMaxPerSecond ? { maxPerSecond: p.okkiMaxPerSecond } : null,
    },
    k3Faults: { latencyMs: p.k3LatencyMs, perRowLatencyMs: p.k3PerRowMs },
    k3MaxConcurrent: p.k3Concurrency,
    okkiPush: { securityConfig: secret },
  });
  const prefix = benchPrefix(runId, `lanes-${lanes ? 'on' : 'off'}-${live ? 'live' : 'alone'}`);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    ...demo.env,
    REDIS_URL: o.redisUrl,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'silent',
    XIAOMAN_MAX_RPS: String(p.clientRps),
    XIAOMAN_PAGE_SIZE: String(o.pageSize),
    KINGDEE_MAX_CONCURRENCY: String(p.k3Concurrency),
    ORDER_WAIT_DELAYS: '1',
    XIAOMAN_WEBHOOK_SECRET: secret,
    SYNC_LANES: String(lanes),
  };
  const stops: Array<() => Promise<unknown>> = [];
  const label = `${lanes ? 'lanes on' : 'SYNC_LANES=false'}, ${live ? 'with pushed edits' : 'backfill alone'}`;
  try {
    console.log(`  ${label}: backfill of ${receipts} receipts…`);
    const rt = await createRuntime(loadConfig(env), {
      name: 'bench-lanes',
      needsOkki: true,
      needsK3: true,
      logger: createLogger({ name: 'bench', level: 'silent' }),
    });
    stops.push(() => rt.close());
    const receiver = await startPushReceiver(rt, 0);
    stops.unshift(() => receiver.close());
    for (const stage of [await startPushStage(rt), await startTransformerStage(rt), await startWriterStage(rt)])
      stops.unshift(() => stage.close());
    demo.okki.push.register(`${receiver.url}/okki/webhook`);
    demo.okki.push.subscribe(EVENTS);
    const started = performance.now();
    // Ends before now: an edit moves its receipt past the end instead of into the pages being read.
    const end = formatChinaTime(new Date(Date.now() - 60_000));
    const window = { id: 'bench-backfill', start: '2020-01-01 00:00:00', end };
    const paging = runFixedWindow(windowDeps(rt), window, {
      trigger: 'backfill',
      stream: `bench-${prefix}`,
      lane: 'bulk',
    });
    const fetched = (await paging).fetched;
    // Edits start once the backfill is paged (an edit during paging is drift the reader restarts on).
    let done = false;
    const editing = live ? editWhile(demo, o.seed, () => done) : Promise.resolve(new Map<string, number>());
    // The backfill is done when every version it listed has an outcome (the edits keep the queues busy).
    const deadline = Date.now() + o.runDeadlineMs;
    while ((await rt.tracker.summarize(window.id)).pending > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    const seconds = (performance.now() - started) / 1000;
    done = true;
    const edits = await editing;
    // The last edits may still be on their way (the push queue is not one waitUntilDrained counts).
    const edited = async () => (await rt.push.freshness(0)).filter((s) => edits.has(s.versionKey));
    const until = Date.now() + 60_000;
    while ((await edited()).length < edits.size && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    await waitUntilDrained(rt.queues, { pollMs: 100 });
    const samples = await edited();
    const fromEdit = samples.map((s) => (s.atMs - edits.get(s.versionKey)!) / 1000);
    const run: LanesRun = {
      lanes,
      live,
      receipts: fetched,
      seconds,
      receiptsPerSecond: fetched / seconds,
      ...(live
        ? {
            edits: edits.size,
            written: new Set(samples.map((s) => s.versionKey)).size,
            fromEdit: { p50: percentile(fromEdit, 50), p95: percentile(fromEdit, 95), max: Math.max(...fromEdit) },
          }
        : {}),
    };
    console.log(
      `    ${fetched} receipts in ${seconds.toFixed(1)} s (${run.receiptsPerSecond.toFixed(1)}/s)` +
        (run.fromEdit
          ? `; ${run.written}/${run.edits} pushed edits written, from the edit p50 ${run.fromEdit.p50?.toFixed(2)} s, p95 ${run.fromEdit.p95?.toFixed(2)} s`
          : ''),
    );
    return run;
  } finally {
    for (const stop of stops) await stop().catch(() => undefined);
    await demo.close();
    await cleanupPrefix(o.redisUrl, prefix);
  }
}

/** One edit every 500 ms, each of a different receipt of the backfill, until `stop()` says so. */
async function editWhile(demo: DemoEnvironment, seed: number, stop: () => boolean): Promise<Map<string, number>> {
  const rng = createRng(seed + 22);
  const orders = new Set(demo.k3.allBills('SAL_SaleOrder').map((b) => String(b.F_Cash_Collection_Id)));
  const candidates = demo.okki.allReceipts({ removed: false }).filter((r) => orders.has(String(r.order_id)));
  const edits = new Map<string, number>();
  while (!stop() && candidates.length > 0) {
    const [r] = candidates.splice(Math.floor(rng.next() * candidates.length), 1);
    const saved = demo.okki.upsertReceipt(mutateReceipt(r!, rng));
    edits.set(receiptVersionKey(saved.cash_collection_id, saved.update_time, false), Date.now());
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return edits;
}
