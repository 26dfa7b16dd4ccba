/** What one `npm run bench` invocation measures and how big each measurement is. */

export const SECTIONS = ['naive', 'pipeline', 'once', 'zero', 'rss', 'writers', 'push', 'lanes', 'tracing'] as const;
export type Section = (typeof SECTIONS)[number];

/** Latency and caps the simulators impose, and what the service is configured to respect. */
export interface LatencyProfile {
  name: 'realistic' | 'zero' | 'k3-bound';
  okkiLatencyMs: number;
  /** The simulator's sliding one-second request budget; null = none. */
  okkiMaxPerSecond: number | null;
  /** XIAOMAN_MAX_RPS handed to the service (the config schema allows at most 1000). */
  clientRps: number;
  k3LatencyMs: number;
  k3PerRowMs: number;
  /** Requests K3Cloud processes at once (simulator) and KINGDEE_MAX_CONCURRENCY. */
  k3Concurrency: number;
}

export interface BenchOptions {
  quick: boolean;
  sections: Section[];
  seed: number;
  /** Receipts per sales order in the generated data (the demo's own ratio is about 4). */
  receiptsPerOrder: number;
  pageSize: number;
  batchSize: number;
  realistic: LatencyProfile;
  zero: LatencyProfile;
  /** OKKI fast, K3Cloud slow per row with 2 slots: the case K3Cloud alone bounds (section `once`). */
  k3Bound: LatencyProfile;
  sizes: {
    /** Receipts the naive sync handles before its rate is taken (it is sequential, so the rate is steady). */
    naiveReceipts: number;
    naiveMaxSeconds: number;
    pipelineReceipts: number;
    zeroReceipts: number;
    rssReceipts: number;
    /** Receipts per simulator pair in the backfill (see section-rss.ts). */
    rssSegment: number;
    writersZeroReceipts: number;
    writersLatencyReceipts: number;
    /** Receipts per run of the tracing section (off, on, off, on, off). */
    tracingReceipts: number;
    /** Receipts of each backfill of the lanes section (four runs). */
    lanesReceipts: number;
    k3BoundReceipts: number;
  };
  /** `sync:once` runs timed from process start (section `once`): receipts and bank enrichment of each. */
  onceCases: OnceCase[];
  /** Runs of each case per contender (BENCH_ONCE_REPEATS); comparisons use the median. */
  onceRepeats: number;
  /**
   * A second source tree (the code before a change, with its own node_modules): section `once` runs
   * every case from it too, in the same invocation, so before and after compare as ratios.
   */
  baselineRoot?: string;
  /** Writer processes the writers section compares: one active writer and the rest hot standbys. */
  writerCounts: number[];
  /** Upper bound on any single wait for a run to finish. */
  runDeadlineMs: number;
  /** The 100k backfill: the simulators' queries scan every stored row, so it is slow on a small machine. */
  rssDeadlineMs: number;
  redisUrl: string;
  /** How the multi-process runs start the apps: the image's bundles (default) or tsx. */
  runtime: 'bundle' | 'tsx';
}

function num(env: NodeJS.ProcessEnv, name: string, def: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${name} must be a positive number, got ${JSON.stringify(raw)}`);
  return value;
}

/** `--only naive,pipeline` or `--only=zero`, else BENCH_ONLY, else every section. */
function parseSections(argv: string[], env: NodeJS.ProcessEnv): Section[] {
  let raw = env.BENCH_ONLY;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--only') raw = argv[i + 1];
    else if (arg.startsWith('--only=')) raw = arg.slice('--only='.length);
  }
  if (raw === undefined || raw.trim() === '') return [...SECTIONS];
  const wanted = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = wanted.filter((s) => !(SECTIONS as readonly string[]).includes(s));
  if (unknown.length > 0)
    throw new Error(`--only: unknown section(s) ${unknown.join(', ')}; choose from ${SECTIONS.join(', ')}`);
  return SECTIONS.filter((s) => wanted.includes(s));
}

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): BenchOptions {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(
      [
        'npm run bench [-- --only naive,pipeline,once,zero,rss,writers,push,lanes,tracing] [--quick]',
        'env: BENCH_QUICK=1 (small sizes), BENCH_ONLY=…, BENCH_SEED, BENCH_OKKI_RPS (OKKI cap, default 100),',
        '     BENCH_PIPELINE_RECEIPTS, BENCH_NAIVE_RECEIPTS, BENCH_ZERO_RECEIPTS, BENCH_RSS_RECEIPTS, BENCH_WRITERS_RECEIPTS, REDIS_URL,',
        '     BENCH_WRITERS_LATENCY_RECEIPTS, BENCH_WRITER_COUNTS (writer processes to compare, default 1,2,3),',
        '     BENCH_ONCE_CASES (section once: receipts:enrichment, default 800:on), BENCH_K3BOUND_RECEIPTS (default 2000),',
        '     BENCH_BASELINE_ROOT (section once also runs every case from this source tree: before/after in one run),',
        '     BENCH_ONCE_REPEATS (runs of each case and contender in section once, default 1; compared by the median),',
        '     BENCH_TRACING_RECEIPTS (per run of the tracing section: off, on, off, on, off; default 2000),',
        '     BENCH_RUNTIME=tsx (multi-process runs under tsx instead of the esbuild bundles the image runs),',
        '     BENCH_CPU_PROF_DIR (V8 CPU profiles of the stage processes, written there when they exit),',
        "     BENCH_CHILD_NODE_OPTIONS (NODE_OPTIONS of the stage processes instead of the image's heap caps, e.g. --max-old-space-size=256)",
        'npm run bench -- --render bench-results/latest.json   re-print and re-write the report of a saved run',
      ].join('\n'),
    );
    process.exit(0);
  }
  const quick = argv.includes('--quick') || /^(1|true|yes)$/i.test(env.BENCH_QUICK ?? '');
  const okkiCap = num(env, 'BENCH_OKKI_RPS', 100);
  const k3Concurrency = 4;
  return {
    quick,
    sections: parseSections(argv, env),
    seed: num(env, 'BENCH_SEED', 42),
    receiptsPerOrder: 4,
    pageSize: 100,
    batchSize: 50,
    // Issue 5: OKKI ~80 ms per call under a request-rate cap; K3Cloud ~200 ms + ~2 ms per row, 4 in flight.
    realistic: {
      name: 'realistic',
      okkiLatencyMs: 80,
      okkiMaxPerSecond: okkiCap,
      clientRps: okkiCap,
      k3LatencyMs: 200,
      k3PerRowMs: 2,
      k3Concurrency,
    },
    // Issue 20: OKKI answering at once, K3Cloud ~200 ms + ~20 ms per row with 2 slots.
    k3Bound: {
      name: 'k3-bound',
      okkiLatencyMs: 0,
      okkiMaxPerSecond: null,
      clientRps: 1000,
      k3LatencyMs: 200,
      k3PerRowMs: 20,
      k3Concurrency: 2,
    },
    zero: {
      name: 'zero',
      okkiLatencyMs: 0,
      okkiMaxPerSecond: null,
      clientRps: 1000,
      k3LatencyMs: 0,
      k3PerRowMs: 0,
      k3Concurrency,
    },
    sizes: {
      naiveReceipts: num(env, 'BENCH_NAIVE_RECEIPTS', quick ? 20 : 100),
      naiveMaxSeconds: quick ? 30 : 120,
      pipelineReceipts: num(env, 'BENCH_PIPELINE_RECEIPTS', quick ? 1_000 : 5_000),
      zeroReceipts: num(env, 'BENCH_ZERO_RECEIPTS', quick ? 1_000 : 10_000),
      rssReceipts: num(env, 'BENCH_RSS_RECEIPTS', quick ? 10_000 : 100_000),
      rssSegment: num(env, 'BENCH_RSS_SEGMENT', quick ? 5_000 : 10_000),
      writersZeroReceipts: num(env, 'BENCH_WRITERS_RECEIPTS', quick ? 1_000 : 10_000),
      writersLatencyReceipts: num(env, 'BENCH_WRITERS_LATENCY_RECEIPTS', quick ? 500 : 5_000),
      tracingReceipts: num(env, 'BENCH_TRACING_RECEIPTS', quick ? 500 : 2_000),
      lanesReceipts: num(env, 'BENCH_LANES_RECEIPTS', quick ? 1_000 : 3_000),
      k3BoundReceipts: num(env, 'BENCH_K3BOUND_RECEIPTS', quick ? 400 : 2_000),
    },
    onceCases: parseOnceCases(env.BENCH_ONCE_CASES ?? (quick ? '200:on' : '800:on')),
    onceRepeats: Math.round(num(env, 'BENCH_ONCE_REPEATS', 1)),
    baselineRoot: env.BENCH_BASELINE_ROOT || undefined,
    writerCounts: (env.BENCH_WRITER_COUNTS ?? '1,2,3')
      .split(',')
      .map(Number)
      .filter((n) => n >= 1),
    runDeadlineMs: quick ? 10 * 60_000 : 30 * 60_000,
    rssDeadlineMs: quick ? 15 * 60_000 : 90 * 60_000,
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    runtime: env.BENCH_RUNTIME === 'tsx' ? 'tsx' : 'bundle',
  };
}

export interface OnceCase {
  receipts: number;
  enrichBank: boolean;
}

/** `800:on,5000:off` → cases; enrichment defaults to on. */
export function parseOnceCases(raw: string): OnceCase[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((item) => {
      const [count, enrich = 'on'] = item.split(':');
      const receipts = Number(count);
      if (!Number.isInteger(receipts) || receipts <= 0 || !['on', 'off'].includes(enrich))
        throw new Error(`BENCH_ONCE_CASES: "${item}" is not <receipts>:<on|off>`);
      return { receipts, enrichBank: enrich === 'on' };
    });
}

export function ordersFor(receipts: number, options: BenchOptions): number {
  return Math.max(1, Math.ceil(receipts / options.receiptsPerOrder));
}
