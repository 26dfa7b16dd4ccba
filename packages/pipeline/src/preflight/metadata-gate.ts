import { describeError, type Logger } from '@receipt-sync/core';
import type { K3CloudFieldUnknownError } from '@receipt-sync/core';
import type { K3CloudAttention, MetadataReport } from './attention';
import { metadataError, metadataProblem } from './metadata-check';

export interface MetadataGateOptions {
  check(): Promise<MetadataReport>;
  attention: K3CloudAttention;
  logger: Logger;
  /** While the mapping does not fit, check again this often (PREFLIGHT_RECHECK_SECONDS). */
  recheckMs: number;
}

/**
 * Holds the long-running writer while the mapping does not fit K3Cloud's metadata: the writer is
 * not ready (/readyz names the keys), the finding is stored for the dashboard and alerts, and it is
 * checked again every `recheckMs` until it passes. A "field does not exist" answer during normal
 * work closes the gate again at once.
 */
export class MetadataGate {
  private report: MetadataReport | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private running: Promise<void> | undefined;

  constructor(private readonly opts: MetadataGateOptions) {}

  /**
   * First check, or `known` when the caller just ran it (sync:once); resolves once it ran. A check
   * that cannot run leaves the gate open: writes then fail on their own and are retried.
   */
  start(known?: MetadataReport): Promise<void> {
    return known ? this.apply(known) : this.recheck();
  }

  /** The error jobs wait with while the gate is closed, else undefined. */
  blocked(): K3CloudFieldUnknownError | undefined {
    return this.report && !this.report.ok ? metadataError(this.report, this.opts.recheckMs) : undefined;
  }

  /** /readyz check: fails naming every unknown key. */
  readiness(): () => Promise<void> {
    return async () => {
      if (this.report && !this.report.ok) throw new Error(metadataProblem(this.report));
    };
  }

  /** K3Cloud answered "field does not exist" during work: close the gate now and re-check soon. */
  reportUnknown(keys: string[], formId: string): void {
    if (this.report && !this.report.ok) return;
    void this.apply({ ok: false, formId, unknownKeys: keys, checkedAt: new Date().toISOString() });
    this.schedule(Math.min(this.opts.recheckMs, 5_000));
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private recheck(): Promise<void> {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(): Promise<void> {
    try {
      await this.apply(await this.opts.check());
    } catch (error) {
      this.opts.logger.warn({ err: error }, `K3Cloud metadata preflight could not run: ${describeError(error)}`);
      if (this.report && !this.report.ok) this.schedule(this.opts.recheckMs);
    }
  }

  private async apply(report: MetadataReport): Promise<void> {
    const was = this.report;
    this.report = report;
    await this.opts.attention.setMetadata(report).catch((err: unknown) => {
      this.opts.logger.warn({ err }, 'could not store the metadata preflight result');
    });
    if (!report.ok) {
      this.opts.logger.error({ unknownKeys: report.unknownKeys }, metadataProblem(report));
      this.schedule(this.opts.recheckMs);
    } else if (was && !was.ok) {
      this.opts.logger.info('K3Cloud metadata preflight passes again; writing resumes');
    }
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.recheck(), ms);
    this.timer.unref();
  }
}
