import { closeQueues, createQueues, createRedisConnection, type PipelineQueues } from '@receipt-sync/pipeline';
import type IORedis from 'ioredis';
import type { Launcher } from './launcher';
import { freePort, spawnApp, stopProcess, waitReady, type AppProcess } from './processes';
import { unfinished, waitFor } from './redis-keys';

export type StageKind = 'transformer' | 'writer';

/** A stage app (`apps/<kind>/src/main.ts`) as its own process, ready when /readyz answers 200. */
export async function startStage(
  launcher: Launcher,
  kind: StageKind,
  name: string,
  env: Record<string, string>,
): Promise<AppProcess> {
  const port = await freePort();
  const app = spawnApp(name, launcher.args(kind), { ...env, HEALTH_PORT: String(port) }, { heapOf: kind });
  try {
    await waitReady(app, port, 120_000);
  } catch (error) {
    await stopProcess(app.child, 5_000);
    throw error;
  }
  return app;
}

/** The producer as its own process: pages the range in hourly sub-windows, exits when all are enqueued. */
export function startProducer(
  launcher: Launcher,
  env: Record<string, string>,
  range: { from: string; to: string },
  stream = 'bench-backfill',
): AppProcess {
  return spawnApp(
    'producer',
    launcher.args('producer'),
    { ...env, BENCH_FROM: range.from, BENCH_TO: range.to, BENCH_STEP_HOURS: '1', BENCH_STREAM: stream },
    { keepStdout: true, heapOf: 'producer' },
  );
}

export function exitProblem(apps: AppProcess[], allowCleanExit: AppProcess[] = []): string | undefined {
  for (const app of apps) {
    const { exitCode, signalCode } = app.child;
    if (exitCode === null && signalCode === null) continue;
    if (exitCode === 0 && allowCleanExit.includes(app)) continue;
    return `${app.name} exited (${exitCode ?? signalCode}): ${app.stderrTail() || 'no stderr'}`;
  }
  return undefined;
}

export function hasExited(app: AppProcess): boolean {
  return app.child.exitCode !== null || app.child.signalCode !== null;
}

/** Queue handles on one bench prefix, for pausing `ready` and for counting what is left. */
export class QueueWatch {
  readonly connection: IORedis;
  readonly queues: PipelineQueues;

  constructor(redisUrl: string, prefix: string) {
    this.connection = createRedisConnection(redisUrl);
    this.connection.on('error', () => undefined);
    this.queues = createQueues(this.connection, prefix);
  }

  raw(): Promise<number> {
    return unfinished(this.queues.raw);
  }

  ready(): Promise<number> {
    return unfinished(this.queues.ready);
  }

  pauseReady(): Promise<void> {
    return this.queues.ready.pause();
  }

  resumeReady(): Promise<void> {
    return this.queues.ready.resume();
  }

  /** Until the producer has exited and raw (and, unless `rawOnly`, ready) hold nothing unfinished. */
  drained(opts: {
    producer: AppProcess;
    watch: AppProcess[];
    deadlineMs: number;
    rawOnly?: boolean;
    onTick?: () => void;
  }): Promise<number> {
    let lastTick = performance.now();
    return waitFor(
      opts.rawOnly ? 'filling ready' : 'backfill',
      async () => {
        if (opts.onTick && performance.now() - lastTick > 10_000) {
          lastTick = performance.now();
          opts.onTick();
        }
        if (!hasExited(opts.producer)) return false;
        const left = (await this.raw()) + (opts.rawOnly ? 0 : await this.ready());
        return left === 0;
      },
      {
        deadlineMs: opts.deadlineMs,
        pollMs: 200,
        failed: () => exitProblem([opts.producer, ...opts.watch], [opts.producer]),
      },
    );
  }

  async close(): Promise<void> {
    await closeQueues(this.queues);
    await this.connection.quit().catch(() => this.connection.disconnect());
  }
}

export async function stopAll(apps: AppProcess[]): Promise<void> {
  await Promise.allSettled(apps.map((a) => stopProcess(a.child, 35_000)));
}
