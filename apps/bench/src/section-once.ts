import { theoreticalBound } from './bound';
import type { Launcher } from './launcher';
import type { BenchOptions, LatencyProfile, OnceCase } from './options';
import { pipelineEnv } from './pipeline-env';
import { spawnApp, waitForExit } from './processes';
import { benchPrefix, cleanupPrefix } from './redis-keys';
import type { OnceRun } from './results';
import { saveStats, simSpec } from './section-latency';
import { SimHost } from './sim-client';
import type { SimStats } from './sim-protocol';

/** Where the code of a contender comes from: this tree, or the baseline tree (BENCH_BASELINE_ROOT). */
export interface OnceContender {
  code: 'this tree' | 'baseline';
  launcher: Launcher;
}

/**
 * What the caps allow for one run, as a time: every OKKI request the simulator saw, at the client's
 * rate, against the BatchSaves alone (full batches, no query) over the K3Cloud slots. The larger of
 * the two is the shortest the run could take whatever the implementation does around them.
 */
export function capsBound(
  p: LatencyProfile,
  receipts: number,
  batchSize: number,
  okkiRequests: number,
): OnceRun['bound'] {
  const rps = Math.min(p.clientRps, p.okkiMaxPerSecond ?? Number.POSITIVE_INFINITY);
  const okkiSeconds = okkiRequests / rps;
  const batches = Math.ceil(receipts / batchSize);
  const saveOnlySeconds = (batches * p.k3LatencyMs + receipts * p.k3PerRowMs) / p.k3Concurrency / 1000;
  const seconds = Math.max(okkiSeconds, saveOnlySeconds);
  return { okkiSeconds, saveOnlySeconds, seconds, limitedBy: okkiSeconds >= saveOnlySeconds ? 'OKKI' : 'K3Cloud' };
}

/**
 * What the K3Cloud slots allow when each batch also holds a slot for its queries (L each): the
 * save-only bound stretched by (q·L + L + r·B) / (L + r·B), for q = 2 (now) and q = 1.
 */
export function queryCeilings(p: LatencyProfile, batchSize: number): { twoQueries: number; oneQuery: number } {
  const save = p.k3LatencyMs + p.k3PerRowMs * batchSize;
  return { twoQueries: save / (save + 2 * p.k3LatencyMs), oneQuery: save / (save + p.k3LatencyMs) };
}

/** Seconds from spawn to OKKI's first request, between its first and last, and after its last to exit. */
export function phasesOf(stats: SimStats, spawnedAtMs: number, seconds: number): OnceRun['phases'] {
  const { firstAtMs, lastAtMs } = stats.okki;
  if (firstAtMs === undefined || lastAtMs === undefined) return undefined;
  const toFirstOkki = (firstAtMs - spawnedAtMs) / 1000;
  const okkiSpan = (lastAtMs - firstAtMs) / 1000;
  return { toFirstOkki, okkiSpan, afterLastOkki: seconds - toFirstOkki - okkiSpan };
}

export function describePhases(p: NonNullable<OnceRun['phases']>): string {
  return `first OKKI request ${p.toFirstOkki.toFixed(2)} s, OKKI ${p.okkiSpan.toFixed(2)} s, after the last ${p.afterLastOkki.toFixed(2)} s`;
}

const totalRequests = (s: SimStats) => Object.values(s.okki.requests).reduce((a, b) => a + b, 0);

/**
 * `npm run sync:once` as the operator runs it, timed from process start to exit: start-up (module
 * load, Redis, K3Cloud login and metadata preflight), the window, the drain. Cases: the realistic
 * profile for BENCH_ONCE_CASES, then the K3Cloud-bound profile; each contender on a fresh simulator
 * pair with the same data, one after the other per case.
 */
export async function runOnceSection(
  options: BenchOptions,
  runId: string,
  contenders: OnceContender[],
): Promise<OnceRun[]> {
  const plans: Array<{ profile: LatencyProfile } & OnceCase> = [
    ...options.onceCases.map((c) => ({ profile: options.realistic, ...c })),
    { profile: options.k3Bound, receipts: options.sizes.k3BoundReceipts, enrichBank: false },
  ];
  const out: OnceRun[] = [];
  // Contenders alternate within each repeat, so a spell of load on the machine hits both alike.
  for (const plan of plans)
    for (let i = 0; i < options.onceRepeats; i++)
      for (const contender of contenders) out.push(await runOnce(options, runId, contender, plan, i));
  return out;
}

async function runOnce(
  options: BenchOptions,
  runId: string,
  contender: OnceContender,
  plan: { profile: LatencyProfile } & OnceCase,
  repeat: number,
): Promise<OnceRun> {
  const { profile, receipts, enrichBank } = plan;
  const prefix = benchPrefix(
    runId,
    `once-${profile.name}-${receipts}-${enrichBank ? 'on' : 'off'}-${contender.code[0]}${repeat}`,
  );
  const sim = await SimHost.start(simSpec(options, profile, receipts));
  try {
    const env = pipelineEnv({
      simEnv: sim.env,
      profile,
      enrichBank,
      prefix,
      redisUrl: options.redisUrl,
      pageSize: options.pageSize,
      batchSize: options.batchSize,
    });
    console.log(
      `  sync:once from process start (${contender.code}), ${profile.name}, ${receipts} receipts, enrichment ${enrichBank ? 'on' : 'off'}…`,
    );
    await sim.resetStats();
    const started = performance.now();
    const spawnedAt = Date.now();
    const app = spawnApp('sync-once', contender.launcher.args('sync-once'), env, {
      keepStdout: true,
      heapOf: 'sync-once',
    });
    if (!(await waitForExit(app.child, options.runDeadlineMs)))
      throw new Error(`sync:once did not finish within ${Math.round(options.runDeadlineMs / 1000)} s`);
    const seconds = (performance.now() - started) / 1000;
    if (app.child.exitCode !== 0)
      throw new Error(`sync:once exited ${app.child.exitCode ?? app.child.signalCode}: ${app.stderrTail()}`);
    const [census, stats] = await Promise.all([sim.census(), sim.stats()]);
    const okkiRequests = totalRequests(stats);
    const bound = capsBound(profile, receipts, options.batchSize, okkiRequests);
    const { saves, rowsPerSave } = saveStats(stats);
    const k3Queries = (stats.k3.calls.ExecuteBillQuery ?? 0) + (stats.k3.calls.BillQuery ?? 0);
    const run: OnceRun = {
      profile: profile.name,
      code: contender.code,
      receipts,
      enrichBank,
      seconds,
      receiptsPerSecond: census.written / seconds,
      census,
      okkiRequests,
      okki429: stats.okki.rateLimited,
      k3Queries,
      saves,
      rowsPerSave,
      bound,
      shareOfBound: bound.seconds / seconds,
      phases: phasesOf(stats, spawnedAt, seconds),
    };
    const callBound = theoreticalBound({
      profile,
      enrichBank,
      pageSize: options.pageSize,
      batchSize: options.batchSize,
    });
    run.pipelineBound = {
      receiptsPerSecond: callBound.receiptsPerSecond,
      share: run.receiptsPerSecond / callBound.receiptsPerSecond,
    };
    console.log(
      `    ${census.written} written in ${seconds.toFixed(2)} s (bound ${bound.seconds.toFixed(2)} s, ${bound.limitedBy}) = ` +
        `${(100 * run.shareOfBound).toFixed(1)}% of the caps' bound; ${okkiRequests} OKKI requests, ${saves} saves, ` +
        `${k3Queries} queries; duplicates ${census.duplicated}, missing ${census.missing}` +
        (run.phases ? `; ${describePhases(run.phases)}` : ''),
    );
    return run;
  } finally {
    await cleanupPrefix(options.redisUrl, prefix);
    await sim.close();
  }
}
