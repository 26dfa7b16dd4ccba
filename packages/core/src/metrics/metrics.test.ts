import type { ApiCallRecord } from '../audit';
import { Registry, collectQueueDepths, createMetrics } from '.';

function record(over: Partial<ApiCallRecord>): ApiCallRecord {
  return {
    system: 'k3cloud',
    operation: 'BatchSave',
    method: 'POST',
    path: '/k3cloud/x.json',
    durationMs: 1500,
    attempt: 1,
    outcome: 'ok',
    at: '2025-01-01T00:00:00.000Z',
    ...over,
  };
}

describe('createMetrics', () => {
  it('exposes pipeline counters with their labels in the text exposition', async () => {
    const m = createMetrics({ defaultLabels: { app: 'writer' } });
    m.receiptsFetched.inc({ removed: 'false' }, 3);
    m.receiptsFetched.inc({ removed: 'true' });
    m.receiptsWritten.inc(2);
    m.receiptsUnchanged.inc();
    m.receiptsQuarantined.inc({ reason: 'receipt has no sales order' });
    m.receiptsDeadLettered.inc({ code: 'k3cloud.sales-order-not-found' });
    m.checkpointLagSeconds.set(42);
    m.windowInFlight.set(1);
    const text = await m.metricsText();
    expect(text).toContain('receipt_sync_receipts_fetched_total{removed="false",app="writer"} 3');
    expect(text).toContain('receipt_sync_receipts_fetched_total{removed="true",app="writer"} 1');
    expect(text).toContain('receipt_sync_receipts_written_total{app="writer"} 2');
    expect(text).toContain('receipt_sync_receipts_unchanged_total{app="writer"} 1');
    expect(text).toContain(
      'receipt_sync_receipts_quarantined_total{reason="receipt has no sales order",app="writer"} 1',
    );
    expect(text).toContain(
      'receipt_sync_receipts_dead_lettered_total{code="k3cloud.sales-order-not-found",app="writer"} 1',
    );
    expect(text).toContain('receipt_sync_checkpoint_lag_seconds{app="writer"} 42');
    expect(text).toContain('receipt_sync_window_in_flight{app="writer"} 1');
    expect(m.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('honours a custom prefix and shares series when created twice on one registry', async () => {
    const registry = new Registry();
    const a = createMetrics({ registry, prefix: 'rs_' });
    const b = createMetrics({ registry, prefix: 'rs_' });
    a.receiptsWritten.inc();
    b.receiptsWritten.inc();
    expect(await registry.metrics()).toContain('rs_receipts_written_total 2');
  });

  it('audit sink maps records into the duration histogram and the error counter', async () => {
    const m = createMetrics();
    const sink = m.auditSink();
    sink.record(record({ durationMs: 1500 }));
    sink.record(record({ outcome: 'timeout', durationMs: 120_000, errorCode: 'network.timeout' }));
    sink.record(
      record({ system: 'okki', operation: 'receipt.list', outcome: 'http-error', durationMs: 8, status: 502 }),
    );
    sink.record(record({ durationMs: Number.NaN })); // must not throw
    const text = await m.metricsText();
    expect(text).toContain(
      'receipt_sync_api_call_duration_seconds_bucket{le="2.5",system="k3cloud",operation="BatchSave",outcome="ok"} 1',
    );
    expect(text).toContain(
      'receipt_sync_api_call_duration_seconds_bucket{le="1",system="k3cloud",operation="BatchSave",outcome="ok"} 0',
    );
    expect(text).toContain(
      'receipt_sync_api_call_duration_seconds_bucket{le="120",system="k3cloud",operation="BatchSave",outcome="timeout"} 1',
    );
    expect(text).toContain(
      'receipt_sync_api_call_errors_total{system="k3cloud",operation="BatchSave",error_class="network.timeout"} 1',
    );
    // no errorCode: the outcome is the error class
    expect(text).toContain(
      'receipt_sync_api_call_errors_total{system="okki",operation="receipt.list",error_class="http-error"} 1',
    );
    expect(text).not.toMatch(/api_call_errors_total\{[^}]*outcome="ok"/);
    expect(text).not.toContain('error_class="ok"');
  });
});

describe('collectQueueDepths', () => {
  it('sets every state of every queue and reports a queue that could not be read', async () => {
    const m = createMetrics();
    const asked: string[][] = [];
    const writer = {
      name: 'writer',
      getJobCounts: async (...types: string[]) => {
        asked.push(types);
        return { wait: 5, active: 2, failed: 1 } as Record<string, number>;
      },
    };
    let redisUp = true;
    const transform = {
      name: 'transform',
      getJobCounts: async () => (redisUp ? { wait: 9 } : Promise.reject(new Error('redis down'))),
    };
    await collectQueueDepths(m, [writer, transform]);
    expect(await m.metricsText()).toContain('receipt_sync_queue_depth{queue="transform",state="wait"} 9');
    redisUp = false;
    await expect(collectQueueDepths(m, [writer, transform])).rejects.toThrow('redis down');
    expect(asked[0]).toEqual(
      expect.arrayContaining(['wait', 'active', 'delayed', 'failed', 'completed', 'prioritized', 'waiting-children']),
    );
    const text = await m.metricsText();
    expect(text).toContain('receipt_sync_queue_depth{queue="writer",state="wait"} 5');
    expect(text).toContain('receipt_sync_queue_depth{queue="writer",state="active"} 2');
    expect(text).toContain('receipt_sync_queue_depth{queue="writer",state="delayed"} 0');
    expect(text).toContain('receipt_sync_queue_depth{queue="writer",state="waiting-children"} 0');
    // a queue that could not be read shows no stale depth
    expect(text).not.toContain('queue="transform"');
  });
});
