import type { Launcher } from './launcher';
import type { BenchOptions } from './options';
import { pipelineEnv } from './pipeline-env';
import { freePort, rssMb, type AppProcess } from './processes';
import { benchPrefix, cleanupPrefix } from './redis-keys';
import type { RssRun } from './results';
import { judgeRss, RssSampler } from './rss-sampler';
import { simSpec } from './section-latency';
import { SimHost } from './sim-client';
import type { RowCensus } from './sim-protocol';
import { QueueWatch, startProducer, startStage, stopAll } from './stage-processes';

/**
 * A backfill through separate processes — producer, transformer, writer — with the VmRSS of each
 * sampled every second from start-up to the end of the drain. Zero latency, so the queues fill as
 * fast as the machine allows (the worst case for memory).
 *
 * The simulators' cost per call grows with what they store (every OKKI list page filters and sorts
 * the whole receipt store; every K3Cloud query sorts and filters every bill), so one simulator pair
 * holding 100,000 receipts is itself the bottleneck (measured: ~34 receipts/s with the simulator
 * process at ~94% of a core, against ~210/s in segments). The backfill therefore runs in segments of
 * `segmentSize` receipts (BENCH_RSS_SEGMENT), each against a fresh simulator pair on the same ports
 * with receipts and orders no other segment has, while the same transformer and writer processes
 * run throughout and see every receipt.
 */
export async function runRssSection(options: BenchOptions, runId: string, launcher: Launcher): Promise<RssRun> {
  const profile = options.zero;
  const prefix = benchPrefix(runId, 'rss');
  const total = options.sizes.rssReceipts;
  const segmentSize = Math.min(total, options.sizes.rssSegment);
  const segments = Math.ceil(total / segmentSize);
  const ports = { okkiPort: await freePort(), k3Port: await freePort() };
  const startSim = (segment: number) =>
    SimHost.start({
      ...simSpec(options, profile, Math.min(segmentSize, total - segment * segmentSize)),
      segment,
      ...ports,
    });
  let sim = await startSim(0);
  const env = pipelineEnv({
    simEnv: sim.env,
    profile,
    enrichBank: true,
    prefix,
    redisUrl: options.redisUrl,
    pageSize: options.pageSize,
    batchSize: options.batchSize,
  });
  const sampler = new RssSampler(1_000);
  const apps: AppProcess[] = [];
  const watch = new QueueWatch(options.redisUrl, prefix);
  const census: RowCensus = { written: 0, duplicated: 0, missing: 0 };
  try {
    sampler.track('simulators', sim.pid);
    console.log(
      `  backfill of ${total} receipts in ${segments} segment(s) of ${segmentSize}: producer, transformer and writer processes (zero latency, enrichment on)…`,
    );
    const [transformer, writer] = await Promise.all([
      startStage(launcher, 'transformer', 'transformer', env),
      startStage(launcher, 'writer', 'writer', env),
    ]);
    apps.push(transformer, writer);
    sampler.track('transformer', transformer.pid);
    sampler.track('writer', writer.pid);
    const redisCpuBefore = await redisCpuSeconds(watch);
    const started = performance.now();
    let busy = 0;
    for (let segment = 0; segment < segments; segment++) {
      if (segment > 0) {
        await sim.close();
        sim = await startSim(segment);
        sampler.track('simulators', sim.pid);
      }
      const segStart = performance.now();
      const producer = startProducer(launcher, env, sim.updateRange, `bench-backfill-${segment}`);
      apps.push(producer);
      sampler.track('producer', producer.pid);
      const doneAt = await watch.drained({
        producer,
        watch: [transformer, writer],
        deadlineMs: options.rssDeadlineMs,
        onTick: () => void progress(watch, started, [transformer, writer]),
      });
      busy += (doneAt - segStart) / 1000;
      const c = await sim.census();
      census.written += c.written;
      census.duplicated += c.duplicated;
      census.missing += c.missing;
      console.log(
        `    segment ${segment + 1}/${segments}: ${c.written} written in ${((doneAt - segStart) / 1000).toFixed(1)} s; ` +
          `${census.written} so far; RSS transformer ${Math.round(rssMb(transformer.pid) ?? 0)} MB, writer ${Math.round(rssMb(writer.pid) ?? 0)} MB`,
      );
    }
    const wall = (performance.now() - started) / 1000;
    const series = sampler.stop();
    const redisCpuAfter = await redisCpuSeconds(watch);
    const processes = series.map((s) => ({
      ...judgeRss(s),
      role: s.name === 'simulators' ? ('harness' as const) : ('pipeline' as const),
    }));
    console.log(
      `    ${census.written} written in ${busy.toFixed(1)} s of backfill (${wall.toFixed(1)} s with simulator restarts) = ` +
        `${(census.written / busy).toFixed(0)} receipts/s; duplicates ${census.duplicated}, missing ${census.missing}`,
    );
    const redisCpu =
      redisCpuBefore !== undefined && redisCpuAfter !== undefined ? redisCpuAfter - redisCpuBefore : undefined;
    return {
      receipts: total,
      seconds: busy,
      receiptsPerSecond: census.written / busy,
      census,
      processes,
      segments,
      redisCpuSeconds: redisCpu,
    };
  } finally {
    sampler.stop();
    await stopAll(apps);
    await watch.close();
    await cleanupPrefix(options.redisUrl, prefix);
    await sim.close();
  }
}

async function progress(watch: QueueWatch, started: number, apps: AppProcess[]): Promise<void> {
  const [raw, ready] = await Promise.all([watch.raw(), watch.ready()]).catch(() => [NaN, NaN]);
  const rss = apps.map((a) => `${a.name} ${Math.round(rssMb(a.pid) ?? 0)} MB`).join(', ');
  console.log(
    `    … ${((performance.now() - started) / 1000).toFixed(0)} s: raw ${raw} left, ready ${ready} left; RSS ${rss}`,
  );
}

/** used_cpu_sys + used_cpu_user of the Redis server (INFO cpu), or undefined when it cannot be read. */
async function redisCpuSeconds(watch: QueueWatch): Promise<number | undefined> {
  try {
    const info = await watch.connection.info('cpu');
    const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1]);
    const total = field('used_cpu_sys') + field('used_cpu_user');
    return Number.isFinite(total) ? total : undefined;
  } catch {
    return undefined;
  }
}
