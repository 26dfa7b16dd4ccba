import type { ApiCallRecord } from '@receipt-sync/core';
import { BufferedAuditSink } from './audit-sink';

const call = (n: number): ApiCallRecord => ({
  system: 'okki',
  operation: `op-${n}`,
  method: 'GET',
  path: '/v1/invoices/receipt/list',
  durationMs: 1,
  attempt: 1,
  outcome: 'ok',
  at: new Date(Date.UTC(2025, 0, 1, 0, 0, n)).toISOString(),
});

describe('BufferedAuditSink', () => {
  const sinks: BufferedAuditSink[] = [];
  const make = (...args: ConstructorParameters<typeof BufferedAuditSink>) => {
    const sink = new BufferedAuditSink(...args);
    sinks.push(sink);
    return sink;
  };
  afterAll(async () => {
    for (const sink of sinks) await sink.close();
  });

  it('writes in batches of batchSize, oldest first', async () => {
    const batches: string[][] = [];
    const sink = make({
      write: async (b) => void batches.push(b.map((r) => r.operation)),
      batchSize: 2,
      flushIntervalMs: 60_000,
    });
    for (let n = 1; n <= 5; n++) sink.record(call(n));
    await sink.flush();
    expect(batches.flat()).toEqual(['op-1', 'op-2', 'op-3', 'op-4', 'op-5']);
    expect(batches.every((b) => b.length <= 2)).toBe(true);
    expect(sink.stats()).toEqual({ buffered: 0, dropped: 0, written: 5, failedWrites: 0 });
  });

  it('flushes on its own once a batch is full, without a flush() call', async () => {
    const written: string[] = [];
    let resolveFull!: () => void;
    const full = new Promise<void>((resolve) => (resolveFull = resolve));
    const sink = make({
      write: async (b) => {
        written.push(...b.map((r) => r.operation));
        if (written.length >= 3) resolveFull();
      },
      batchSize: 3,
      flushIntervalMs: 60_000,
    });
    for (let n = 1; n <= 3; n++) sink.record(call(n));
    await full;
    expect(written).toEqual(['op-1', 'op-2', 'op-3']);
  });

  it('keeps records when the store fails, never throws, and retries them on the next flush', async () => {
    let down = true;
    const errors: unknown[] = [];
    const written: string[] = [];
    const sink = make({
      write: async (b) => {
        if (down) throw new Error('store down');
        written.push(...b.map((r) => r.operation));
      },
      onError: (e) => errors.push(e),
      flushIntervalMs: 60_000,
    });
    expect(() => sink.record(call(1))).not.toThrow();
    await expect(sink.flush()).resolves.toBeUndefined();
    expect(sink.stats()).toMatchObject({ buffered: 1, failedWrites: 1, written: 0 });
    expect(errors).toHaveLength(1);
    down = false;
    sink.record(call(2));
    await sink.flush();
    expect(written).toEqual(['op-1', 'op-2']);
  });

  it('drops the oldest records beyond maxBuffered and counts them', async () => {
    const written: string[] = [];
    let down = true;
    const sink = make({
      write: async (b) => {
        if (down) throw new Error('store down');
        written.push(...b.map((r) => r.operation));
      },
      batchSize: 2,
      maxBuffered: 4,
      flushIntervalMs: 60_000,
      onError: () => {
        throw new Error('a broken logger must not break auditing');
      },
    });
    for (let n = 1; n <= 7; n++) sink.record(call(n));
    await sink.flush();
    expect(sink.stats()).toMatchObject({ buffered: 4, dropped: 3 });
    down = false;
    await sink.flush();
    expect(written).toEqual(['op-4', 'op-5', 'op-6', 'op-7']);
  });

  it('close() writes what is buffered', async () => {
    const written: string[] = [];
    const sink = new BufferedAuditSink({
      write: async (b) => void written.push(...b.map((r) => r.operation)),
      flushIntervalMs: 60_000,
    });
    sink.record(call(1));
    await sink.close();
    expect(written).toEqual(['op-1']);
  });
});

describe('BufferedAuditSink.close', () => {
  it('gives up on a hanging store after its deadline and counts the records as dropped', async () => {
    let release!: () => void;
    const hanging = new Promise<void>((resolve) => (release = resolve));
    const sink = new BufferedAuditSink({ write: () => hanging, flushIntervalMs: 60_000 });
    sink.record(call(1));
    sink.record(call(2));
    const started = Date.now();
    await sink.close(200);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(sink.stats()).toMatchObject({ dropped: 2, written: 0 });
    // A write that completes after the sink gave up is not counted twice.
    release();
    await hanging;
    await new Promise((resolve) => setImmediate(resolve));
    expect(sink.stats()).toMatchObject({ dropped: 2, written: 0, buffered: 0 });
  });
});
