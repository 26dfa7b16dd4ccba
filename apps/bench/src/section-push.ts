import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createLogger, loadConfig } from '@receipt-sync/core';
import {
  createRuntime,
  percentile,
  receiptVersionKey,
  startProducerStage,
  startPushReceiver,
  startPushStage,
  startTransformerStage,
  startWriterStage,
  syncOnce,
  type Runtime,
} from '@receipt-sync/pipeline';
import {
  createRng,
  encryptPush,
  mutateReceipt,
  signPush,
  startDemoEnvironment,
  type DemoEnvironment,
} from '@receipt-sync/simulators';
import type { BenchOptions } from './options';
import { cpuSeconds, freePort, REPO_ROOT, spawnApp, stopProcess, waitReady } from './processes';
import { benchPrefix, cleanupPrefix } from './redis-keys';
import type { PushAckRun, PushFreshnessRun, PushResults } from './results';

const EVENTS = ['create', 'update', 'delete'].map((e) => `xiaoman.crm.cash_collection.${e}`);

const stats = (values: number[]) => ({
  p50: percentile(values, 50),
  p95: percentile(values, 95),
  max: values.length ? Math.max(...values) : undefined,
});

/**
 * Freshness (K3Cloud-confirmed write − the receipt's update_time in OKKI) with OKKI push and with
 * polling alone, at realistic latency, and the receiver's acknowledgement latency under load.
 */
export async function runPushSection(options: BenchOptions, runId: string): Promise<PushResults> {
  const intervalSeconds = options.quick ? 10 : 30;
  const editSeconds = options.quick ? 20 : 90;
  const freshness: PushFreshnessRun[] = [];
  for (const mode of ['push', 'polling'] as const) {
    freshness.push(await freshnessRun(options, runId, mode, intervalSeconds, editSeconds));
  }
  const ack = await ackRun(options, runId, 200, options.quick ? 10 : 30);
  return { intervalSeconds, editSeconds, freshness, ack };
}

async function freshnessRun(
  o: BenchOptions,
  runId: string,
  mode: 'push' | 'polling',
  intervalSeconds: number,
  editSeconds: number,
): Promise<PushFreshnessRun> {
  const p = o.realistic;
  const secret = randomBytes(32).toString('base64');
  const demo = await startDemoEnvironment({
    seed: o.seed,
    receipts: 400,
    orders: 100,
    okkiFaults: {
      latencyMs: p.okkiLatencyMs,
      rateLimit: p.okkiMaxPerSecond ? { maxPerSecond: p.okkiMaxPerSecond } : null,
    },
    k3Faults: { latencyMs: p.k3LatencyMs, perRowLatencyMs: p.k3PerRowMs },
    k3MaxConcurrent: p.k3Concurrency,
    okkiPush: { securityConfig: secret },
  });
  const prefix = benchPrefix(runId, `push-${mode}`);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    ...demo.env,
    REDIS_URL: o.redisUrl,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'silent',
    XIAOMAN_MAX_RPS: String(p.clientRps),
    KINGDEE_MAX_CONCURRENCY: String(p.k3Concurrency),
    SYNC_INTERVAL_SECONDS: String(intervalSeconds),
    // Receipts whose sales order is missing are not what this measures: let them dead-letter quickly.
    ORDER_WAIT_DELAYS: '1',
    ...(mode === 'push' ? { XIAOMAN_WEBHOOK_SECRET: secret } : {}),
  };
  const stops: Array<() => Promise<unknown>> = [];
  try {
    console.log(`  freshness, ${mode === 'push' ? 'push + polling' : 'polling alone'}: initial load…`);
    await syncOnce(env);
    const rt = await createRuntime(loadConfig(env), {
      name: `bench-${mode}`,
      needsOkki: true,
      needsK3: true,
      logger: createLogger({ name: 'bench', level: 'silent' }),
    });
    stops.push(() => rt.close());
    if (mode === 'push') {
      const receiver = await startPushReceiver(rt, 0);
      stops.unshift(() => receiver.close());
      const push = await startPushStage(rt);
      stops.unshift(() => push.close());
      demo.okki.push.register(`${receiver.url}/okki/webhook`);
      demo.okki.push.subscribe(EVENTS);
    }
    for (const stage of [await startTransformerStage(rt), await startWriterStage(rt), await startProducerStage(rt)])
      stops.unshift(() => stage.close());
    const edits = await editStream(demo, o.seed, editSeconds);
    console.log(`    ${edits.size} edits over ${editSeconds} s (one every 0.5 s); waiting for K3Cloud…`);
    const deadline = Date.now() + (2 * intervalSeconds + 60) * 1000;
    let samples = await rt.push.freshness(0);
    while (Date.now() < deadline && [...edits.keys()].some((k) => !samples.some((s) => s.versionKey === k))) {
      await new Promise((r) => setTimeout(r, 500));
      samples = await rt.push.freshness(0);
    }
    return summarize(mode, edits, samples, rt);
  } finally {
    for (const stop of stops) await stop().catch(() => undefined);
    await demo.close();
    await cleanupPrefix(o.redisUrl, prefix);
  }
}

/**
 * One edit every 500 ms, each of a different receipt: a second edit of one receipt would supersede
 * the first version before polling saw it (written as the newer version only: correct, but then
 * the first edit has no write of its own to time).
 */
async function editStream(demo: DemoEnvironment, seed: number, seconds: number): Promise<Map<string, number>> {
  const rng = createRng(seed + 1);
  // Only receipts that reach K3Cloud: their sales order exists there.
  const orders = new Set(demo.k3.allBills('SAL_SaleOrder').map((b) => String(b.F_Cash_Collection_Id)));
  const candidates = demo.okki.allReceipts({ removed: false }).filter((r) => orders.has(String(r.order_id)));
  const edits = new Map<string, number>();
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end && candidates.length > 0) {
    const [r] = candidates.splice(Math.floor(rng.next() * candidates.length), 1);
    const saved = demo.okki.upsertReceipt(mutateReceipt(r!, rng));
    edits.set(receiptVersionKey(saved.cash_collection_id, saved.update_time, false), Date.now());
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return edits;
}

async function summarize(
  mode: 'push' | 'polling',
  edits: Map<string, number>,
  samples: Array<{ atMs: number; seconds: number; source: string; versionKey: string }>,
  rt: Runtime,
): Promise<PushFreshnessRun> {
  const mine = samples.filter((s) => edits.has(s.versionKey));
  const metric = mine.map((s) => s.seconds);
  const fromEdit = mine.map((s) => (s.atMs - edits.get(s.versionKey)!) / 1000);
  const summary = await rt.push.summary();
  const run: PushFreshnessRun = {
    mode,
    edits: edits.size,
    written: new Set(mine.map((s) => s.versionKey)).size,
    viaPush: mine.filter((s) => s.source === 'push').length,
    metric: stats(metric),
    fromEdit: stats(fromEdit),
    firstSeen: summary.firstSeen,
  };
  console.log(
    `    written ${run.written}/${run.edits} (${run.viaPush} via push); freshness p50 ${run.metric.p50?.toFixed(1)} s, p95 ${run.metric.p95?.toFixed(1)} s (from the edit: p50 ${run.fromEdit.p50?.toFixed(2)} s, p95 ${run.fromEdit.p95?.toFixed(2)} s)`,
  );
  return run;
}

/** A receiver in its own process under `rate` signed, encrypted messages a second; client-side latency. */
async function ackRun(o: BenchOptions, runId: string, rate: number, seconds: number): Promise<PushAckRun> {
  const secret = randomBytes(32).toString('base64');
  const prefix = benchPrefix(runId, 'push-ack');
  const port = await freePort();
  // The receiver's metrics are on its internal health port, not on the webhook port.
  const healthPort = await freePort();
  const app = spawnApp('receiver', ['--import', 'tsx', join(REPO_ROOT, 'apps/service/src/receiver.ts')], {
    REDIS_URL: o.redisUrl,
    QUEUE_PREFIX: prefix,
    XIAOMAN_WEBHOOK_SECRET: secret,
    WEBHOOK_PORT: String(port),
    HEALTH_PORT: String(healthPort),
    LOG_LEVEL: 'warn',
  });
  try {
    await waitReady(app, port, 60_000);
    const total = rate * seconds;
    const timestamp = String(Math.floor(Date.now() / 1000));
    // Prepared up front so the load generator spends its time sending, not encrypting.
    const messages = Array.from({ length: total }, (_, i) => {
      const plain = JSON.stringify({
        biz: [{ biz_type: EVENTS[1], biz_data: { cash_collection_id: 6_000_000_000 + (i % 500) } }],
      });
      const body = JSON.stringify({ message_id: `msg_bench_${runId}_${i}`, data: encryptPush(secret, plain) });
      return { body, signature: signPush(secret, timestamp, body) };
    });
    const url = `http://127.0.0.1:${port}/okki/webhook`;
    // Warm-up: connections, JIT, the first Redis round trips.
    for (let i = 0; i < 20; i++) await send(url, timestamp, messages[i]!);
    console.log(`  receiver acknowledgement at ${rate} messages/s for ${seconds} s (${total} messages)…`);
    const latencies: number[] = [];
    let ok = 0;
    const cpuBefore = cpuSeconds(app.pid);
    const started = performance.now();
    const inFlight: Array<Promise<void>> = [];
    for (let i = 20; i < total; i++) {
      const due = started + ((i - 20) * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      inFlight.push(
        send(url, timestamp, messages[i]!).then((r) => {
          latencies.push(r.ms);
          if (r.status === 200) ok += 1;
        }),
      );
    }
    await Promise.all(inFlight);
    const elapsed = (performance.now() - started) / 1000;
    const cpuAfter = cpuSeconds(app.pid);
    const server = await serverSideP99(healthPort);
    const run: PushAckRun = {
      rate,
      seconds,
      messages: latencies.length,
      ok,
      achievedRate: latencies.length / elapsed,
      p50Ms: percentile(latencies, 50)!,
      p95Ms: percentile(latencies, 95)!,
      p99Ms: percentile(latencies, 99)!,
      maxMs: Math.max(...latencies),
      serverP99UpToMs: server,
      receiverCpuPercent:
        cpuBefore !== undefined && cpuAfter !== undefined ? (100 * (cpuAfter - cpuBefore)) / elapsed : undefined,
    };
    console.log(
      `    ${run.ok}/${run.messages} acknowledged at ${run.achievedRate.toFixed(0)}/s; p50 ${run.p50Ms.toFixed(1)} ms, p95 ${run.p95Ms.toFixed(1)} ms, p99 ${run.p99Ms.toFixed(1)} ms, max ${run.maxMs.toFixed(1)} ms; ` +
        `inside the receiver p99 ≤ ${run.serverP99UpToMs ?? '?'} ms; receiver CPU ${run.receiverCpuPercent?.toFixed(0) ?? '?'}% of a core`,
    );
    return run;
  } finally {
    await stopProcess(app.child, 10_000);
    await cleanupPrefix(o.redisUrl, prefix);
  }
}

/** p99 of receipt_sync_webhook_ack_duration_seconds as the upper bound of its histogram bucket, in ms. */
async function serverSideP99(port: number): Promise<number | undefined> {
  const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
  const buckets = [...text.matchAll(/webhook_ack_duration_seconds_bucket\{le="([^"]+)"\} (\d+)/g)].map((m) => ({
    le: m[1] === '+Inf' ? Infinity : Number(m[1]),
    count: Number(m[2]),
  }));
  const total = buckets.find((b) => b.le === Infinity)?.count ?? 0;
  const hit = buckets.find((b) => b.count >= 0.99 * total);
  return hit && Number.isFinite(hit.le) ? hit.le * 1000 : undefined;
}

async function send(
  url: string,
  timestamp: string,
  m: { body: string; signature: string },
): Promise<{ ms: number; status: number }> {
  const t0 = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-timestamp': timestamp, 'x-signature': m.signature },
    body: m.body,
  });
  await res.arrayBuffer();
  return { ms: performance.now() - t0, status: res.status };
}
