import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { theoreticalBound } from './bound';
import type { BenchOptions } from './options';
import { runPipelineOnce } from './pipeline-run';
import { benchPrefix } from './redis-keys';
import type { TracingRun } from './results';
import { SimHost } from './sim-client';
import { simSpec } from './section-latency';

/** An OTLP/HTTP endpoint that accepts every export and keeps only counts (what a collector costs us). */
async function startOtlpSink(): Promise<{ url: string; bytes: () => number; close(): Promise<void> }> {
  let bytes = 0;
  const server = http.createServer((req, res) => {
    req.on('data', (c: Buffer) => (bytes += c.length));
    req.on('end', () => res.writeHead(200, { 'Content-Type': 'application/x-protobuf' }).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bytes: () => bytes,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const OTEL_ENV = ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_SERVICE_NAME'] as const;

/**
 * The pipeline at realistic latency with tracing off and on (OTLP/HTTP protobuf to a local sink)
 * in turn — off, on, off, on, off — one fresh simulator pair each, so a machine busy with other work
 * weighs on both alike. The SDK, once started, stays loaded in this process (a later "off" run has
 * no telemetry on its queues and its simulators' origins are not traced). Each run's rate is set
 * against the same theoretical bound.
 */
export async function runTracingSection(o: BenchOptions, runId: string): Promise<TracingRun[]> {
  const receipts = o.sizes.tracingReceipts;
  const profile = o.realistic;
  const bound = theoreticalBound({ profile, enrichBank: false, pageSize: o.pageSize, batchSize: o.batchSize });
  const sink = await startOtlpSink();
  const runs: TracingRun[] = [];
  try {
    for (const [i, tracing] of [false, true, false, true, false].entries()) {
      const sim = await SimHost.start(simSpec(o, profile, receipts));
      const bytesBefore = sink.bytes();
      // The SDK reads the standard variables from the process environment (the config from the run's env).
      const otel: Record<string, string> = tracing
        ? { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_SERVICE_NAME: 'receipt-sync-bench' }
        : {};
      Object.assign(process.env, otel);
      try {
        const p = await runPipelineOnce(sim, {
          profile,
          enrichBank: false,
          prefix: benchPrefix(runId, `tracing-${i}`),
          redisUrl: o.redisUrl,
          pageSize: o.pageSize,
          batchSize: o.batchSize,
          extraEnv: otel,
        });
        const run: TracingRun = {
          tracing,
          receipts,
          seconds: p.seconds,
          receiptsPerSecond: p.receiptsPerSecond,
          boundPerSecond: bound.receiptsPerSecond,
          shareOfBound: p.receiptsPerSecond / bound.receiptsPerSecond,
          pipelineCpuPercent: p.cpu.pipelinePercent,
          otlpBytes: sink.bytes() - bytesBefore,
        };
        runs.push(run);
        console.log(
          `  tracing ${tracing ? 'on ' : 'off'}: ${run.receiptsPerSecond.toFixed(1)} receipts/s, ` +
            `${(100 * run.shareOfBound).toFixed(1)}% of the ${run.boundPerSecond.toFixed(1)}/s bound, ` +
            `pipeline CPU ${run.pipelineCpuPercent.toFixed(0)}% of a core, OTLP ${(run.otlpBytes / 1024).toFixed(0)} KiB`,
        );
      } finally {
        for (const key of OTEL_ENV) delete process.env[key];
        await sim.close();
      }
    }
  } finally {
    await sink.close();
  }
  return runs;
}
