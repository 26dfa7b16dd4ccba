import type { Launcher } from './launcher';
import type { BenchOptions, LatencyProfile } from './options';
import { pipelineEnv } from './pipeline-env';
import { cpuSeconds, rssMb, type AppProcess } from './processes';
import { benchPrefix, cleanupPrefix, waitFor } from './redis-keys';
import type { WritersRun } from './results';
import { saveStats, simSpec } from './section-latency';
import { SimHost } from './sim-client';
import { exitProblem, QueueWatch, startProducer, startStage, stopAll } from './stage-processes';

/**
 * The writer stage alone with 1, 2 and 4 writer processes. `ready` is paused and filled first
 * (producer + transformer at zero latency), then the writers start, and the clock runs from the
 * resume until `ready` is empty. Zero K3Cloud latency shows the CPU cost; realistic latency shows
 * that the shared 4-in-flight cap, not the number of processes, bounds the stage.
 */
export async function runWritersSection(
  options: BenchOptions,
  runId: string,
  launcher: Launcher,
): Promise<WritersRun[]> {
  const out: WritersRun[] = [];
  const plans: Array<{ profile: LatencyProfile; receipts: number }> = [
    { profile: options.zero, receipts: options.sizes.writersZeroReceipts },
    { profile: options.realistic, receipts: options.sizes.writersLatencyReceipts },
  ];
  for (const plan of plans)
    for (const writers of options.writerCounts)
      out.push(await runWriters(options, runId, launcher, { ...plan, writers }));
  return out;
}

async function runWriters(
  options: BenchOptions,
  runId: string,
  launcher: Launcher,
  plan: { profile: LatencyProfile; receipts: number; writers: number },
): Promise<WritersRun> {
  const { profile: writeProfile, receipts, writers } = plan;
  const fill = options.zero;
  const prefix = benchPrefix(runId, `writers-${writeProfile.name}-${writers}`);
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
    const writerApps = await Promise.all(
      Array.from({ length: writers }, (_, i) =>
        startStage(launcher, 'writer', `writer-${i + 1}`, {
          ...env,
          KINGDEE_MAX_CONCURRENCY: String(writeProfile.k3Concurrency),
        }),
      ),
    );
    apps.push(...writerApps);
    // Writers that started together agree on their shards at their next heartbeat (1 s); the clock
    // measures writers that run side by side, as deployed ones do, so every run waits 2 s here.
    await new Promise((r) => setTimeout(r, 2_000));
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
      profile: writeProfile.name,
      writers,
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
    await stopAll(apps);
    await watch.close();
    await cleanupPrefix(options.redisUrl, prefix);
    await sim.close();
  }
}
