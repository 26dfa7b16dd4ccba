import type { BenchOptions } from './options';
import { runPipelineOnce } from './pipeline-run';
import { benchPrefix } from './redis-keys';
import type { ZeroRun } from './results';
import { simSpec } from './section-latency';
import { SimHost } from './sim-client';

/**
 * No latency, no OKKI rate limit at the simulator: what the pipeline itself costs on this machine.
 * The simulators run in their own process, so the pipeline process has a core of its own (on two
 * cores the simulators, Redis and the pipeline still share the machine).
 */
export async function runZeroSection(options: BenchOptions, runId: string): Promise<ZeroRun[]> {
  const profile = options.zero;
  const spec = simSpec(options, profile, options.sizes.zeroReceipts);
  const out: ZeroRun[] = [];
  for (const enrichBank of [false, true]) {
    const sim = await SimHost.start(spec);
    try {
      console.log(
        `  pipeline at zero latency, bank enrichment ${enrichBank ? 'on' : 'off'}: ${sim.receipts} receipts…`,
      );
      const p = await runPipelineOnce(sim, {
        profile,
        enrichBank,
        prefix: benchPrefix(runId, `zero-${enrichBank ? 'on' : 'off'}`),
        redisUrl: options.redisUrl,
        pageSize: options.pageSize,
        batchSize: options.batchSize,
      });
      // XIAOMAN_MAX_RPS is capped at 1000 by the config schema: with enrichment that is ~990 receipts/s.
      const configCap = profile.clientRps / (1 / options.pageSize + (enrichBank ? 1 : 0));
      out.push({
        enrichBank,
        receipts: p.receipts,
        seconds: p.seconds,
        receiptsPerSecond: p.receiptsPerSecond,
        census: p.census,
        cpu: p.cpu,
        configCap,
      });
      console.log(
        `    ${p.census.written} written in ${p.seconds.toFixed(1)} s = ${p.receiptsPerSecond.toFixed(0)} receipts/s; ` +
          `duplicates ${p.census.duplicated}, missing ${p.census.missing}; CPU: pipeline ${p.cpu.pipelinePercent.toFixed(0)}%, simulators ${p.cpu.simulatorsPercent.toFixed(0)}% of a core`,
      );
    } finally {
      await sim.close();
    }
  }
  return out;
}
