/**
 * Reads the W3C trace id out of BullMQ telemetry metadata (bullmq-otel stores the propagation
 * carrier as JSON, `{"traceparent":"00-<trace id>-<span id>-01"}`). No OpenTelemetry import: the
 * dashboard uses it to show a receipt's trace whether or not this process traces.
 */
export function traceIdFromMetadata(metadata: string | undefined): string | undefined {
  if (!metadata) return undefined;
  try {
    const carrier = JSON.parse(metadata) as { traceparent?: unknown };
    const match =
      typeof carrier.traceparent === 'string' ? /^00-([0-9a-f]{32})-[0-9a-f]{16}-/.exec(carrier.traceparent) : null;
    return match && !/^0+$/.test(match[1]!) ? match[1] : undefined;
  } catch {
    return undefined;
  }
}
