import type { ApiCallRecord } from '@receipt-sync/core';
import type { AuditSink, AuditSinkStats } from './model/audit';

export interface BufferedAuditSinkOptions {
  /** Persists one batch (oldest first). May reject; the batch is then kept for the next flush. */
  write(records: readonly ApiCallRecord[]): Promise<void>;
  /** Records per write. @defaultValue 200 */
  batchSize?: number;
  /** Records held while the store is slow or down; beyond it the oldest are dropped. @defaultValue 10000 */
  maxBuffered?: number;
  /** Background flush period. @defaultValue 1000 */
  flushIntervalMs?: number;
  /** Told about each failed write (for a log line); must not throw, and is guarded if it does. */
  onError?(error: unknown): void;
}

/** The tunable part of the options, as `createStore` accepts it. */
export type AuditSinkTuning = Omit<BufferedAuditSinkOptions, 'write'>;

/**
 * Buffers audit records in memory and writes them in batches, so API clients never wait on the
 * store (api-audit: "a sink must never throw into the caller"). One write is in flight at a time.
 */
export class BufferedAuditSink implements AuditSink {
  private buffer: ApiCallRecord[] = [];
  private readonly counters = { dropped: 0, written: 0, failedWrites: 0 };
  private chain: Promise<void> = Promise.resolve();
  private flushQueued = false;
  /** The batch being written right now (counted as dropped if close() gives up on it). */
  private inFlight: ApiCallRecord[] = [];
  /** Set when close() hit its deadline: late results of abandoned writes are no longer counted. */
  private abandoned = false;
  private readonly timer: NodeJS.Timeout;
  private readonly batchSize: number;
  private readonly maxBuffered: number;

  constructor(private readonly options: BufferedAuditSinkOptions) {
    this.batchSize = Math.max(1, options.batchSize ?? 200);
    this.maxBuffered = Math.max(this.batchSize, options.maxBuffered ?? 10_000);
    this.timer = setInterval(() => void this.flush(), options.flushIntervalMs ?? 1000);
    // The background flush must never keep a finished process alive; close() flushes explicitly.
    this.timer.unref();
  }

  record(entry: ApiCallRecord): void {
    try {
      this.buffer.push(entry);
      this.enforceBound();
      if (this.buffer.length >= this.batchSize && !this.flushQueued) {
        this.flushQueued = true;
        void this.flush();
      }
    } catch {
      // Never throw into an API call.
    }
  }

  flush(): Promise<void> {
    this.chain = this.chain.then(() => this.drain());
    return this.chain;
  }

  stats(): AuditSinkStats {
    return { buffered: this.buffer.length, ...this.counters };
  }

  /**
   * Stops the background timer and writes what is buffered, waiting at most `deadlineMs`: with the
   * store unreachable a write can hang for the driver's whole timeout (30 s server selection in
   * MongoDB), and shutdown must not. Whatever is still unwritten then is counted as dropped.
   */
  async close(deadlineMs = 5_000): Promise<void> {
    clearInterval(this.timer);
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => resolve('expired'), deadlineMs);
    });
    const outcome = await Promise.race([this.flush().then(() => 'flushed' as const), expired]);
    clearTimeout(timer);
    if (outcome === 'expired') {
      this.abandoned = true;
      this.counters.dropped += this.buffer.length + this.inFlight.length;
      this.buffer = [];
    }
  }

  private enforceBound(): void {
    const excess = this.buffer.length - this.maxBuffered;
    if (excess > 0) {
      this.buffer.splice(0, excess);
      this.counters.dropped += excess;
    }
  }

  /** Writes batch after batch; on the first failure puts the batch back and stops until the next flush. */
  private async drain(): Promise<void> {
    this.flushQueued = false;
    while (this.buffer.length > 0 && !this.abandoned) {
      const batch = this.buffer.splice(0, this.batchSize);
      this.inFlight = batch;
      try {
        await this.options.write(batch);
        if (!this.abandoned) this.counters.written += batch.length;
      } catch (error) {
        if (this.abandoned) return;
        this.counters.failedWrites += 1;
        this.buffer.unshift(...batch);
        this.enforceBound();
        try {
          this.options.onError?.(error);
        } catch {
          // A broken logger must not break auditing either.
        }
        return;
      } finally {
        this.inFlight = [];
      }
    }
  }
}
