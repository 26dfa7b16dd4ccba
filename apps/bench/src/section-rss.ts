import type { Launcher } from './launcher';
import type { BenchOptions } from './options';
import { pipelineEnv } from './pipeline-env';
import { rssMb, type AppProcess } from './processes';
import { benchPrefix, cleanupPrefix } from './redis-keys';
import type { RssRun } from './results';
import { judgeRss, RssSampler } from './rss-sampler';
import { simSpec } from './section-latency';
import { SimHost } from './sim-client';
import { QueueWatch, startProducer, startStage, stopAll } from './stage-processes';

/**
 * A backfill of the whole dataset through separate processes — producer (one window), transformer,
 * writer — with the VmRSS of each sampled every second from start-up to the end of the drain.
 * Zero latency, so the queues fill as fast as the machine allows (the worst case for memory).
 */
export async function runRssSection(options: BenchOptions, runId: string, launcher: Launcher): Promise<RssRun> {
  const profile = options.zero;
  const prefix = benchPrefix(runId, 'rss');
  const sim = await SimHost.start(simSpec(options, profile, options.sizes.rssReceipts), 300_000);
  const env = pipelineEnv({ simEnv: sim.env, profile, enrichBank: true, prefix, redisUrl: options.redisUrl, pageSize: options.pageSize, batchSize: options.batchSize });
  const sampler = new RssSampler(1_000);
  const apps: AppProcess[] = [];
  const watch = new QueueWatch(options.redisUrl, prefix);
  try {
    sampler.track('simulators', sim.pid);
    console.log(`  backfill of ${sim.receipts} receipts: producer, transformer and writer processes (zero latency, enrichment on)…`);
    const [transformer, writer] = await Promise.all([startStage(launcher, 'transformer', 'transformer', env), startStage(launcher, 'writer', 'writer', env)]);
    apps.push(transformer, writer);
    sampler.track('transformer', transformer.pid);
    sampler.track('writer', writer.pid);
    const started = performance.now();
    const producer = startProducer(launcher, env);
    apps.push(producer);
    sampler.track('producer', producer.pid);
    const doneAt = await watch.drained({
      producer, watch: [transformer, writer], deadlineMs: options.runDeadlineMs,
      onTick: () => void progress(watch, started, apps),
    });
    const seconds = (doneAt - started) / 1000;
    const census = await sim.census();
    const series = sampler.stop();
    const processes = series.map((s) => ({ ...judgeRss(s), role: s.name === 'simulators' ? ('harness' as const) : ('pipeline' as const) }));
    console.log(`    ${census.written} written in ${seconds.toFixed(1)} s = ${(census.written / seconds).toFixed(0)} receipts/s; ` +
      `duplicates ${census.duplicated}, missing ${census.missing}`);
    return { receipts: sim.receipts, seconds, receiptsPerSecond: census.written / seconds, census, processes };
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
  console.log(`    … ${((performance.now() - started) / 1000).toFixed(0)} s: raw ${raw} left, ready ${ready} left; RSS ${rss}`);
}
