import { loadConfig } from '@receipt-sync/core';
import { readWriterLease } from '@receipt-sync/pipeline';
import type { Launcher } from './launcher';
import type { BenchOptions, LatencyProfile } from './options';
import { pipelineEnv } from './pipeline-env';
import { cpuSeconds, rssMb, type AppProcess } from './processes';
import { benchPrefix, cleanupPrefix, waitFor } from './redis-keys';
import type { TakeoverRun, WritersRun } from './results';
import { saveStats, simSpec } from './section-latency';
import { SimHost } from './sim-client';
import { exitProblem, QueueWatch, startProducer, startStage, stopAll } from './stage-processes';

/** Share of the rows K3Cloud has saved when the takeover run kills the active writer. */
const KILL_AT_SHARE = 0.2;

/**
 * Writer processes: one active writer (the Redis writer lease) and the rest hot standbys. For 1, 2
 * and 3 processes, `ready` is paused and filled first (producer + transformer at zero latency), the
 * writers start and agree on the active one, and the clock runs from the resume until `ready` is
 * empty: with one writer writing, the rate should be one writer's whatever the count. Then the
 * takeover: two writers at realistic latency, kill -9 of the active one mid-run, the time until the
 * standby's first BatchSave, and the exactly-once census.
 */
export async function runWritersSection(
  options: BenchOptions,
  runId: string,
  launcher: Launcher,
): Promise<{ runs: WritersRun[]; takeover: TakeoverRun }> {
  const runs: WritersRun[] = [];
  const plans: Array<{ profile: LatencyProfile; receipts: number }> = [
    { profile: options.zero, receipts: options.sizes.writersZeroReceipts },
    { profile: options.realistic, receipts: options.sizes.writersLatencyReceipts },
  ];
  for (const plan of plans)
    for (const writers of options.writerCounts)
      runs.push(await runWriters(options, runId, launcher, { ...plan, writers }));
  const takeover = await runTakeover(options, runId, launcher, options.sizes.writersLatencyReceipts);
  return { runs, takeover };
}

/** A pre-filled, paused `ready` and writer processes that agree on the active one. */
interface Stage {
  sim: SimHost;
  watch: QueueWatch;
  prefix: string;
  rows: number;
  writerApps: AppProcess[];
  leaseSeconds: number;
  close(): Promise<void>;
}

async function prepare(
  options: BenchOptions,
  launcher: Launcher,
  plan: { profile: LatencyProfile; receipts: number; writers: number; prefix: string },
): Promise<Stage> {
  const { profile: writeProfile, receipts, writers, prefix } = plan;
  const fill = options.zero;
  const sim = await SimHost.start(simSpec(options, fill, receipts));
  const env = pipelineEnv({
    simEnv: sim.env,
    profile: fill,
    enrichBank: false,
    prefix,
    redisUrl: options.redisUrl,
    pageSize: options.pageSize,
    batchSize: options.batchSize,
  });
  const watch = new QueueWatch(options.redisUrl, prefix);
  const apps: AppProcess[] = [];
  const close = async () => {
    await stopAll(apps);
    await watch.close();
    await cleanupPrefix(options.redisUrl, prefix);
    await sim.close();
  };
  try {
    console.log(
      `  ${writers} writer process(es), K3Cloud latency ${writeProfile.k3LatencyMs} ms + ${writeProfile.k3PerRowMs} ms/row: filling ready with ${sim.receipts} rows…`,
    );
    await watch.pauseReady();
    const transformer = await startStage(launcher, 'transformer', 'transformer', env);
    apps.push(transformer);
    const producer = startProducer(launcher, env, sim.updateRange);
    apps.push(producer);
    await watch.drained({ producer, watch: [transformer], deadlineMs: options.runDeadlineMs, rawOnly: true });
    await stopAll([transformer]);
    const rows = await watch.ready();
    await sim.setK3Latency(writeProfile.k3LatencyMs, writeProfile.k3PerRowMs);
    const writerEnv = { ...env, KINGDEE_MAX_CONCURRENCY: String(writeProfile.k3Concurrency) };
    const writerApps = await Promise.all(
      Array.from({ length: writers }, (_, i) => startStage(launcher, 'writer', `writer-${i + 1}`, writerEnv)),
    );
    apps.push(...writerApps);
    // The clock measures an active writer with its standbys settled, as a deployment runs.
    await waitFor(
      'the writer lease',
      async () => {
        const view = await readWriterLease(watch.connection, prefix);
        return view.holder !== undefined && view.standbys === writers - 1;
      },
      { deadlineMs: 60_000, pollMs: 200, failed: () => exitProblem(writerApps) },
    );
    const leaseSeconds = loadConfig(writerEnv).workers.writerLeaseMs / 1000;
    return { sim, watch, prefix, rows, writerApps, leaseSeconds, close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function runWriters(
  options: BenchOptions,
  runId: string,
  launcher: Launcher,
  plan: { profile: LatencyProfile; receipts: number; writers: number },
): Promise<WritersRun> {
  const prefix = benchPrefix(runId, `writers-${plan.profile.name}-${plan.writers}`);
  const stage = await prepare(options, launcher, { ...plan, prefix });
  const { sim, watch, rows, writerApps } = stage;
  try {
    await sim.resetStats();
    let peakRss = 0;
    const simCpuBefore = cpuSeconds(sim.pid) ?? 0;
    const started = performance.now();
    await watch.resumeReady();
    const doneAt = await waitFor(
      'writers',
      async () => {
        for (const w of writerApps) peakRss = Math.max(peakRss, rssMb(w.pid) ?? 0);
        return (await watch.ready()) === 0;
      },
      { deadlineMs: options.runDeadlineMs, pollMs: 100, failed: () => exitProblem(writerApps) },
    );
    const seconds = (doneAt - started) / 1000;
    const simulatorsPercent = (100 * ((cpuSeconds(sim.pid) ?? simCpuBefore) - simCpuBefore)) / seconds;
    const [census, stats] = await Promise.all([sim.census(), sim.stats()]);
    const { saves, rowsPerSave } = saveStats(stats);
    console.log(
      `    ${rows} rows → ${census.written} written in ${seconds.toFixed(2)} s = ${(rows / seconds).toFixed(0)} rows/s ` +
        `(${saves} saves, ${rowsPerSave.toFixed(1)} rows per save; K3Cloud peak in flight ${stats.k3.peakConcurrent}, ` +
        `simulators ${simulatorsPercent.toFixed(0)}% of a core); duplicates ${census.duplicated}, missing ${census.missing}`,
    );
    return {
      profile: plan.profile.name === 'zero' ? 'zero' : 'realistic',
      writers: plan.writers,
      receipts: rows,
      seconds,
      receiptsPerSecond: rows / seconds,
      census,
      k3PeakConcurrent: stats.k3.peakConcurrent,
      saves,
      rowsPerSave,
      peakRssMb: peakRss,
      simulatorsCpuPercent: simulatorsPercent,
    };
  } finally {
    await stage.close();
  }
}

/**
 * Two writer processes at realistic K3Cloud latency; once K3Cloud holds KILL_AT_SHARE of the rows,
 * kill -9 of the lease holder. Measured from the kill: the standby holding the lease, and the
 * first BatchSave after that (the dead writer's save in flight lands within a second, long before
 * its lease runs out, so any save after the handover is the standby's).
 */
async function runTakeover(
  options: BenchOptions,
  runId: string,
  launcher: Launcher,
  receipts: number,
): Promise<TakeoverRun> {
  const prefix = benchPrefix(runId, 'writers-takeover');
  const stage = await prepare(options, launcher, { profile: options.realistic, receipts, writers: 2, prefix });
  const { sim, watch, rows, writerApps, leaseSeconds } = stage;
  try {
    await sim.resetStats();
    const started = performance.now();
    await watch.resumeReady();
    const killed: AppProcess[] = [];
    const failed = () => exitProblem(writerApps.filter((w) => !killed.includes(w)));
    let rowsAtKill = 0;
    await waitFor(
      'rows before the kill',
      async () => (rowsAtKill = (await sim.stats()).k3.rowsSaved) >= KILL_AT_SHARE * rows,
      { deadlineMs: options.runDeadlineMs, pollMs: 50, failed },
    );
    const holder = (await readWriterLease(watch.connection, prefix)).holder;
    const active = writerApps.find((w) => w.pid === holder?.pid);
    if (!active) throw new Error(`no writer process holds the lease (holder pid ${holder?.pid ?? 'none'})`);
    active.child.kill('SIGKILL');
    killed.push(active);
    const killedAt = performance.now();
    const standby = writerApps.find((w) => w !== active)!;
    const leaseAt = await waitFor(
      'the standby to take the lease',
      async () => (await readWriterLease(watch.connection, prefix)).holder?.pid === standby.pid,
      { deadlineMs: (leaseSeconds + 30) * 1000, pollMs: 20, failed },
    );
    const savesAtLease = (await sim.stats()).k3.calls.BatchSave ?? 0;
    const firstSaveAt = await waitFor(
      "the standby's first BatchSave",
      async () => ((await sim.stats()).k3.calls.BatchSave ?? 0) > savesAtLease,
      { deadlineMs: 60_000, pollMs: 20, failed },
    );
    const doneAt = await waitFor('the standby to finish', async () => (await watch.ready()) === 0, {
      deadlineMs: options.runDeadlineMs,
      pollMs: 100,
      failed,
    });
    const census = await sim.census();
    const seconds = (doneAt - started) / 1000;
    const run: TakeoverRun = {
      leaseSeconds,
      receipts: rows,
      rowsAtKill,
      leaseTakenSeconds: (leaseAt - killedAt) / 1000,
      firstSaveSeconds: (firstSaveAt - killedAt) / 1000,
      seconds,
      receiptsPerSecond: rows / seconds,
      census,
    };
    console.log(
      `    kill -9 of the active writer at ${rowsAtKill} of ${rows} rows: lease taken after ${run.leaseTakenSeconds.toFixed(2)} s, ` +
        `first BatchSave after ${run.firstSaveSeconds.toFixed(2)} s (WRITER_LEASE_SECONDS=${leaseSeconds}); ` +
        `${census.written} written in ${seconds.toFixed(1)} s, duplicates ${census.duplicated}, missing ${census.missing}`,
    );
    return run;
  } finally {
    await stage.close();
  }
}
