import type { Telemetry } from 'bullmq';

/**
 * What the pipeline asks of tracing. Only `startTracing` (index.ts) creates one, and only when an
 * OTLP endpoint is configured; everywhere else it is `undefined`, so tracing off costs one
 * optional-chaining check and never loads the OpenTelemetry SDK.
 */
export interface Tracing {
  /** BullMQ's `telemetry` option (bullmq-otel): carries a job's trace context across queues. */
  readonly bullmq: Telemetry;
  /**
   * Starts the trace of one receipt version first seen by the polling window: a short root span
   * (linked to the window's span) whose context the `raw` job carries. Returns that context as
   * BullMQ telemetry metadata for the job's `opts.telemetry.metadata`.
   */
  receiptSeen(attributes: ReceiptSpanAttributes): string;
  /**
   * Runs `fn` inside a `writer.batch` span: its parent is the first row's context (so that receipt's
   * trace holds the batch and its K3Cloud calls), and it links to every row's context.
   */
  inBatch<T>(rowContexts: ReadonlyArray<string | undefined>, rows: number, fn: () => Promise<T>): Promise<T>;
  /** The active trace context as BullMQ telemetry metadata (e.g. inside a job's process span). */
  current(): string;
  /** The trace id a BullMQ telemetry metadata string names, if any. */
  traceIdOf(metadata: string | undefined): string | undefined;
  /** Exports the spans still buffered (a runtime closing, sync:once ending). */
  flush(): Promise<void>;
}

/** Only identifiers: never a receipt's amounts, customer, or any secret. */
export interface ReceiptSpanAttributes {
  receiptId: string;
  updateTime: string;
  removed: boolean;
  windowId: string;
}
