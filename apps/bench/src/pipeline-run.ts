import { syncOnce, type SyncOnceSummary } from '@receipt-sync/pipeline';
import { pipelineEnv, type PipelineEnvInput } from './pipeline-env';
import { cpuSeconds } from './processes';
import { cleanupPrefix } from './redis-keys';
import type { SimHost } from './sim-client';
import type { RowCensus, SimStats } from './sim-protocol';

export interface PipelineRun {
  receipts: number;
  seconds: number;
  /** Receipts of the dataset written to K3Cloud, divided by the wall time of the whole cycle. */
  receiptsPerSecond: number;
  summary: SyncOnceSummary;
  census: RowCensus;
  calls: SimStats;
  /** Share of one core used during the run: this (pipeline) process, and the simulator host. */
  cpu: CpuShare;
}

export interface CpuShare {
  pipelinePercent: number;
  simulatorsPercent: number;
}

/**
 * The pipeline, in this process: one `syncOnce` cycle (producer, transformer and writer stages,
 * one window), timed from the call to its return — start-up, K3Cloud login and the final drain
 * included. Redis keys of the run's prefix are deleted afterwards.
 */
export async function runPipelineOnce(
  sim: SimHost,
  input: Omit<PipelineEnvInput, 'simEnv'> & { extraEnv?: Record<string, string> },
): Promise<PipelineRun> {
  const env = { ...pipelineEnv({ ...input, simEnv: sim.env }), ...input.extraEnv };
  await sim.resetStats();
  try {
    const cpuBefore = process.cpuUsage();
    const simBefore = cpuSeconds(sim.pid) ?? 0;
    const started = performance.now();
    const summary = await syncOnce(env);
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpuBefore);
    const cpu = {
      pipelinePercent: (100 * (used.user + used.system)) / 1e6 / seconds,
      simulatorsPercent: (100 * ((cpuSeconds(sim.pid) ?? simBefore) - simBefore)) / seconds,
    };
    const [census, calls] = await Promise.all([sim.census(), sim.stats()]);
    return {
      receipts: sim.receipts,
      seconds,
      receiptsPerSecond: census.written / seconds,
      summary,
      census,
      calls,
      cpu,
    };
  } finally {
    await cleanupPrefix(input.redisUrl, input.prefix);
  }
}
