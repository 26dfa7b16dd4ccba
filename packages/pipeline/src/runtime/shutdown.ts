import { settlesWithin, type Logger } from '@receipt-sync/core';

type Step = { name: string; run: () => Promise<unknown> };

/**
 * Ordered shutdown with a deadline: workers first (stop taking jobs, finish active ones), then
 * queues, Redis, the store. Each step races the remaining time because `worker.close()` has no
 * timeout of its own and can hang while Redis is unreachable (docs/operations.md#graceful-shutdown).
 */
export class Shutdown {
  private readonly steps: Step[] = [];
  private running: Promise<boolean> | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly deadlineMs: number,
  ) {}

  /** Steps run in the order they were added. */
  add(name: string, run: () => Promise<unknown>): void {
    this.steps.push({ name, run });
  }

  /** Runs every step once; resolves true when all finished before the deadline. */
  run(reason: string): Promise<boolean> {
    this.running ??= this.execute(reason);
    return this.running;
  }

  private async execute(reason: string): Promise<boolean> {
    const deadline = Date.now() + this.deadlineMs;
    this.logger.info({ reason, deadlineMs: this.deadlineMs }, 'shutting down');
    let clean = true;
    for (const step of this.steps) {
      let failed = false;
      const run = step.run().catch((error: unknown) => {
        this.logger.warn({ step: step.name, err: error }, 'shutdown step failed');
        failed = true;
      });
      const settled = await settlesWithin(run, Math.max(0, deadline - Date.now()));
      if (!settled || failed) clean = false;
      if (!settled) {
        this.logger.error({ step: step.name }, 'shutdown deadline reached; exiting without waiting for the rest');
        break;
      }
    }
    return clean;
  }

  /** SIGTERM / SIGINT run the steps and exit (non-zero when the deadline was hit). */
  installSignalHandlers(): void {
    const onSignal = (signal: NodeJS.Signals) => {
      void this.run(signal).then((clean) => process.exit(clean ? 0 : 1));
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }
}
