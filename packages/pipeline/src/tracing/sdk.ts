import { context, propagation, ROOT_CONTEXT, SpanKind, trace, type Context, type Link } from '@opentelemetry/api';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { NodeSDK, tracing } from '@opentelemetry/sdk-node';
import { BullMQOtel } from 'bullmq-otel';
import { nameHttpCall, withoutQuery, type TracedSystem } from './http-spans';
import { traceIdFromMetadata } from './trace-context';
import type { ReceiptSpanAttributes, Tracing } from './types';

const TRACER = 'receipt-sync';

export interface SdkOptions {
  /** service.name when OTEL_SERVICE_NAME is unset, e.g. `receipt-sync-writer`. */
  serviceName: string;
  /** The OKKI and K3Cloud origins whose calls become client spans. */
  systems: readonly TracedSystem[];
}

/**
 * Starts the OpenTelemetry Node SDK. The exporter, its endpoint and protocol, the sampler and the
 * resource come from the standard OTEL_* variables (OTLP over HTTP, protobuf unless
 * OTEL_EXPORTER_OTLP_PROTOCOL says otherwise); no metrics are exported through it.
 */
export function startSdk(options: SdkOptions): Tracing {
  const undici = new UndiciInstrumentation({
    ignoreRequestHook: (request) => !nameHttpCall(options.systems, request.origin, request.path),
    // Overrides the instrumentation's url.full / url.query, which would carry OKKI's access_token.
    startSpanHook: (request) => {
      const call = nameHttpCall(options.systems, request.origin, request.path)!;
      return {
        'url.full': withoutQuery(request.origin, request.path),
        'url.query': '',
        'peer.service': call.system,
        'receipt_sync.operation': call.operation,
      };
    },
    requestHook: (span, request) => {
      const call = nameHttpCall(options.systems, request.origin, request.path);
      if (call) span.updateName(`${call.system} ${call.operation}`);
    },
  });
  const sdk = new NodeSDK({
    ...(process.env.OTEL_SERVICE_NAME ? {} : { serviceName: options.serviceName }),
    // OTEL_TRACES_SAMPLER, when set, decides alone; by default BullMQ's bookkeeping spans are dropped.
    ...(process.env.OTEL_TRACES_SAMPLER ? {} : { sampler: new WithoutBookkeeping() }),
    instrumentations: [undici],
    // Logs go through pino; only traces leave through OTLP.
    logRecordProcessors: [],
  });
  sdk.start();
  const tracer = trace.getTracer(TRACER);
  const fromMetadata = (metadata: string): Context =>
    propagation.extract(ROOT_CONTEXT, JSON.parse(metadata) as Record<string, string>);
  const toMetadata = (ctx: Context): string => {
    const carrier: Record<string, string> = {};
    propagation.inject(ctx, carrier);
    return JSON.stringify(carrier);
  };

  return {
    bullmq: new BullMQOtel({ tracerName: TRACER }),
    receiptSeen(a: ReceiptSpanAttributes) {
      const window = trace.getSpanContext(context.active());
      const span = tracer.startSpan(
        'receipt seen',
        {
          root: true,
          kind: SpanKind.PRODUCER,
          attributes: {
            'receipt_sync.receipt_id': a.receiptId,
            'receipt_sync.update_time': a.updateTime,
            'receipt_sync.removed': a.removed,
            'receipt_sync.window_id': a.windowId,
            'receipt_sync.first_seen_by': 'window',
          },
          links: window ? [{ context: window }] : [],
        },
        ROOT_CONTEXT,
      );
      span.end();
      return toMetadata(trace.setSpan(ROOT_CONTEXT, span));
    },
    async inBatch(rowContexts, rows, fn) {
      const parents = rowContexts.flatMap((m) => {
        const sc = m ? trace.getSpanContext(safe(() => fromMetadata(m)) ?? ROOT_CONTEXT) : undefined;
        return sc ? [sc] : [];
      });
      const links: Link[] = parents.map((sc) => ({ context: sc }));
      const parent = parents[0] ? trace.setSpanContext(ROOT_CONTEXT, parents[0]) : ROOT_CONTEXT;
      const span = tracer.startSpan(
        'writer.batch',
        { kind: SpanKind.INTERNAL, attributes: { 'receipt_sync.batch.rows': rows }, links },
        parent,
      );
      try {
        return await context.with(trace.setSpan(parent, span), fn);
      } catch (error) {
        span.recordException(error instanceof Error ? { name: error.name, message: error.message } : String(error));
        span.setStatus({ code: 2 });
        throw error;
      } finally {
        span.end();
      }
    },
    current: () => toMetadata(context.active()),
    traceIdOf: traceIdFromMetadata,
    async flush() {
      // The API hands out a proxy; the SDK's provider behind it holds the batch span processor.
      const proxy = trace.getTracerProvider() as { getDelegate?: () => { forceFlush?: () => Promise<void> } };
      await proxy.getDelegate?.().forceFlush?.();
    },
  };
}

/**
 * BullMQ spans that say nothing about a receipt: a job marked complete (its `process` span already
 * ends then), the stalled-job checker and its timer: a fifth of all spans, not recorded; the
 * context still propagates. Everything else as the default sampler (parent-based, always on).
 */
const BOOKKEEPING = /^(complete|moveStalledJobsToWait|startStalledCheckTimer|getNextJob) /;

class WithoutBookkeeping implements tracing.Sampler {
  private readonly fallback = new tracing.ParentBasedSampler({ root: new tracing.AlwaysOnSampler() });

  shouldSample(...args: Parameters<tracing.Sampler['shouldSample']>): tracing.SamplingResult {
    const [, , spanName] = args;
    if (BOOKKEEPING.test(spanName)) return { decision: tracing.SamplingDecision.NOT_RECORD };
    return this.fallback.shouldSample(...args);
  }

  toString(): string {
    return 'WithoutBullMQBookkeeping{ParentBased{AlwaysOn}}';
  }
}

function safe<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}
