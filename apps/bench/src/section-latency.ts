import { theoreticalBound } from './bound';
import { runNaiveSync } from './naive-sync';
import { ordersFor, type BenchOptions, type LatencyProfile } from './options';
import { runPipelineOnce } from './pipeline-run';
import { benchPrefix } from './redis-keys';
import type { CallPatternCeilings, CallsPerReceipt, LatencyRun } from './results';
import { compareRows } from './row-check';
import { SimHost } from './sim-client';
import type { SimSpec, SimStats, StoredRow } from './sim-protocol';

const ROW_SAMPLE = 25;

export function simSpec(options: BenchOptions, profile: LatencyProfile, receipts: number): SimSpec {
  return {
    seed: options.seed,
    receipts,
    orders: ordersFor(receipts, options),
    okkiLatencyMs: profile.okkiLatencyMs,
    okkiMaxPerSecond: profile.okkiMaxPerSecond,
    k3LatencyMs: profile.k3LatencyMs,
    k3PerRowMs: profile.k3PerRowMs,
    k3Concurrency: profile.k3Concurrency,
  };
}

/** BatchSave and single Save calls, and the rows they carried on average. */
export function saveStats(stats: SimStats): { saves: number; rowsPerSave: number } {
  const saves = (stats.k3.calls.BatchSave ?? 0) + (stats.k3.calls.Save ?? 0);
  return { saves, rowsPerSave: saves > 0 ? stats.k3.rowsSaved / saves : 0 };
}

export function callsPerReceipt(stats: SimStats, written: number): CallsPerReceipt {
  const per = (n: number | undefined) => (written > 0 ? (n ?? 0) / written : 0);
  const { saves, rowsPerSave } = saveStats(stats);
  return {
    okkiList: per(stats.okki.requests['receipt.list']),
    okkiInfo: per(stats.okki.requests['receipt.info']),
    okki429: stats.okki.rateLimited,
    k3Queries: per((stats.k3.calls.ExecuteBillQuery ?? 0) + (stats.k3.calls.BillQuery ?? 0)),
    k3Saves: per(saves),
    k3RowsPerSave: rowsPerSave,
  };
}

/** The bound's arithmetic applied to the calls the pipeline really made per receipt. */
export function callPatternCeilings(calls: CallsPerReceipt, p: LatencyProfile): CallPatternCeilings {
  const rps = Math.min(p.clientRps, p.okkiMaxPerSecond ?? Number.POSITIVE_INFINITY);
  const okkiCalls = calls.okkiList + calls.okkiInfo;
  const slotMs = (calls.k3Queries + calls.k3Saves) * p.k3LatencyMs + p.k3PerRowMs;
  return {
    okkiReceiptsPerSecond: okkiCalls > 0 ? rps / okkiCalls : Number.POSITIVE_INFINITY,
    k3SlotMsPerReceipt: slotMs,
    k3ReceiptsPerSecond: slotMs > 0 ? (p.k3Concurrency * 1000) / slotMs : Number.POSITIVE_INFINITY,
  };
}

/** What one contender run needs: the options, the profile, the spec and the run being filled in. */
interface Contest {
  options: BenchOptions;
  profile: LatencyProfile;
  spec: SimSpec;
  run: LatencyRun;
  label: string;
}

function boundFor(c: Pick<Contest, 'options' | 'profile'>, enrichBank: boolean) {
  return theoreticalBound({
    profile: c.profile,
    enrichBank,
    pageSize: c.options.pageSize,
    batchSize: c.options.batchSize,
  });
}

/** The naive sync on its own simulator pair; returns the rows it left for a sample of receipts. */
async function runNaive(c: Contest): Promise<{ sample: string[]; rows: Record<string, StoredRow[]> }> {
  const { options, profile, run } = c;
  const sim = await SimHost.start(c.spec);
  try {
    run.bound = boundFor(c, run.enrichBank);
    console.log(
      `  naive sync, ${c.label}: up to ${options.sizes.naiveReceipts} receipts (sequential; its rate is steady)…`,
    );
    const naive = await runNaiveSync({
      env: sim.env,
      enrichBank: run.enrichBank,
      pageSize: options.pageSize,
      maxRps: profile.clientRps,
      maxReceipts: options.sizes.naiveReceipts,
      maxSeconds: options.sizes.naiveMaxSeconds,
    });
    run.naive = {
      receipts: naive.processed,
      seconds: naive.seconds,
      receiptsPerSecond: naive.receiptsPerSecond,
      written: naive.written,
    };
    console.log(
      `    ${naive.processed} receipts (${naive.written} written) in ${naive.seconds.toFixed(1)} s = ${naive.receiptsPerSecond.toFixed(2)} receipts/s`,
    );
    const sample = naive.writtenNos.slice(0, ROW_SAMPLE);
    return { sample, rows: await sim.rows(sample) };
  } finally {
    await sim.close();
  }
}

/** The pipeline on its own simulator pair; compares its rows with the naive sync's when there are any. */
async function runPipeline(
  c: Contest,
  runId: string,
  naive: { sample: string[]; rows: Record<string, StoredRow[]> } | undefined,
): Promise<void> {
  const { options, profile, run } = c;
  const sim = await SimHost.start(c.spec);
  try {
    run.bound = boundFor(c, run.enrichBank);
    console.log(`  pipeline (sync:once in-process), ${c.label}: ${sim.receipts} receipts…`);
    const p = await runPipelineOnce(sim, {
      profile,
      enrichBank: run.enrichBank,
      prefix: benchPrefix(runId, `lat-${run.enrichBank ? 'on' : 'off'}`),
      redisUrl: options.redisUrl,
      pageSize: options.pageSize,
      batchSize: options.batchSize,
    });
    const calls = callsPerReceipt(p.calls, p.census.written);
    run.pipeline = {
      receipts: p.receipts,
      seconds: p.seconds,
      receiptsPerSecond: p.receiptsPerSecond,
      census: p.census,
      calls,
      shareOfBound: p.receiptsPerSecond / run.bound.receiptsPerSecond,
      ceilings: callPatternCeilings(calls, profile),
      cpu: p.cpu,
    };
    console.log(
      `    ${p.census.written} written in ${p.seconds.toFixed(1)} s = ${p.receiptsPerSecond.toFixed(1)} receipts/s ` +
        `(${(100 * run.pipeline.shareOfBound).toFixed(1)}% of the ${run.bound.receiptsPerSecond.toFixed(1)}/s bound); ` +
        `duplicates ${p.census.duplicated}, missing ${p.census.missing}`,
    );
    if (naive) run.rowCheck = compareRows(naive.sample, naive.rows, await sim.rows(naive.sample));
  } finally {
    await sim.close();
  }
}

/**
 * Realistic latency, bank enrichment on and off: the naive sync and the pipeline each on a fresh
 * simulator pair holding the same generated data; their rate, the bound, and a row-by-row check
 * that both left the same rows for the receipts the naive sync wrote.
 */
export async function runLatencySection(
  options: BenchOptions,
  runId: string,
  want: { naive: boolean; pipeline: boolean },
): Promise<LatencyRun[]> {
  const profile = options.realistic;
  const spec = simSpec(options, profile, options.sizes.pipelineReceipts);
  const out: LatencyRun[] = [];
  for (const enrichBank of [true, false]) {
    const run: LatencyRun = {
      enrichBank,
      bound: boundFor({ options, profile }, enrichBank),
    };
    out.push(run);
    const contest: Contest = { options, profile, spec, run, label: `bank enrichment ${enrichBank ? 'on' : 'off'}` };
    const naive = want.naive ? await runNaive(contest) : undefined;
    if (want.pipeline) await runPipeline(contest, runId, naive);
    if (run.naive && run.pipeline) run.ratio = run.pipeline.receiptsPerSecond / run.naive.receiptsPerSecond;
    if (run.naive) run.headroom = run.bound.receiptsPerSecond / run.naive.receiptsPerSecond;
  }
  return out;
}
