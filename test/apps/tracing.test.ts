import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { startDemoEnvironment, type DemoEnvironment } from '@receipt-sync/simulators';
import { expectedOutcome } from '../e2e/expectations';
import { cleanPrefix, envFor, redisUrl, waitFor } from '../e2e/helpers';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './otlp-receiver';
import { LocalRedis } from '../e2e/local-redis';
import { REPO_ROOT, runSyncOnce, startApp } from './run-entry';

/**
 * Tracing on (OTEL_EXPORTER_OTLP_ENDPOINT): `npm run sync:once` against the simulators exports its
 * spans over OTLP/HTTP JSON to a receiver in this test, which is what a collector would get. A real
 * process: the OTLP exporter loads node:http with a dynamic import, which jest's VM refuses.
 */
describe('OpenTelemetry traces of a sync', () => {
  let receiver: OtlpReceiver;
  let demo: DemoEnvironment;
  const prefix = `trace-${randomUUID().slice(0, 8)}`;
  let spans: ReceivedSpan[] = [];

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    const otel = {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_SERVICE_NAME: 'receipt-sync-test',
    };
    demo = await startDemoEnvironment({ seed: 11, receipts: 12, orders: 6 });
    const run = await runSyncOnce(envFor(demo, prefix, otel));
    expect(run.code).toBe(0);
    await waitFor(() => receiver.spans().some((s) => s.name === 'k3cloud BatchSave'), 10_000, 'the BatchSave span');
    spans = receiver.spans();
  }, 90_000);

  afterAll(async () => {
    await receiver?.close();
    await demo?.close();
    await cleanPrefix(prefix);
  });

  const byId = () => new Map(spans.map((s) => [s.spanId, s]));
  const ancestors = (span: ReceivedSpan): ReceivedSpan[] => {
    const index = byId();
    const chain: ReceivedSpan[] = [];
    for (let p = index.get(span.parentSpanId ?? ''); p; p = index.get(p.parentSpanId ?? '')) chain.push(p);
    return chain;
  };

  it('follows one receipt in one trace from the window through raw, the transformer, ready and the writer to its BatchSave', () => {
    const batchSave = spans.find((s) => s.name === 'k3cloud BatchSave')!;
    const chain = ancestors(batchSave).map((s) => s.name);
    // Innermost first: the batch, the ready job the writer worked, the transformer's add, the raw job, the sighting.
    expect(chain[0]).toBe('writer.batch');
    expect(chain).toEqual(
      expect.arrayContaining(['writer.batch', 'process ready', 'add ready.row', 'process raw', 'receipt seen']),
    );
    expect(chain.indexOf('process ready')).toBeLessThan(chain.indexOf('process raw'));
    expect(chain.at(-1)).toBe('receipt seen');
    const root = ancestors(batchSave).at(-1)!;
    expect(root.traceId).toBe(batchSave.traceId);
    expect(root.attributes['receipt_sync.receipt_id']).toEqual(expect.any(String));
    // The batch's other K3Cloud calls (the query before and the read-back) sit beside the save.
    const inBatch = spans.filter((s) => s.parentSpanId === batchSave.parentSpanId).map((s) => s.name);
    expect(inBatch.filter((n) => n === 'k3cloud ExecuteBillQuery').length).toBeGreaterThanOrEqual(2);
    expect(batchSave.kind).toBe(3); // SPAN_KIND_CLIENT
    expect(batchSave.attributes['receipt_sync.operation']).toBe('BatchSave');
  });

  it('gives every receipt version its own trace, and the batch links to each receipt it carries', () => {
    const seen = spans.filter((s) => s.name === 'receipt seen');
    const written = [...expectedOutcome(demo).written.keys()].length;
    expect(seen.length).toBe(12);
    expect(new Set(seen.map((s) => s.traceId)).size).toBe(seen.length);
    const batches = spans.filter((s) => s.name === 'writer.batch');
    const linked = new Set(batches.flatMap((b) => b.links.map((l) => l.traceId)));
    const writtenTraces = seen
      .filter((s) => spans.some((p) => p.traceId === s.traceId && p.name === 'process ready'))
      .map((s) => s.traceId);
    expect(writtenTraces.length).toBe(written);
    for (const trace of writtenTraces) expect(linked.has(trace)).toBe(true);
  });

  it('names OKKI calls by operation, without the query string that carries the access token', () => {
    const okki = spans.filter((s) => s.attributes['peer.service'] === 'okki');
    expect(okki.map((s) => s.name)).toEqual(
      expect.arrayContaining(['okki invoices/receipt/list', 'okki invoices/receipt/info']),
    );
    for (const s of okki) expect(String(s.attributes['url.full'])).not.toContain('?');
  });

  it('exports no secret, token or receipt payload in any attribute', () => {
    const forbidden = [
      demo.env.XIAOMAN_CLIENT_SECRET!,
      demo.env.KINGDEE_PASSWORD!,
      ...demo.okki.issuedTokens(),
      'access_token=',
      'password',
    ];
    // Money and customer names of the receipts: no receipt content leaves in a span.
    const payload = demo.dataset.receipts.map((r) => String((r as { amount?: unknown }).amount));
    const values = receiver.allAttributeValues();
    expect(values.length).toBeGreaterThan(100);
    for (const value of values) {
      for (const secret of forbidden) expect(value).not.toContain(secret);
      for (const p of payload.filter((x) => x.length > 3)) expect(value).not.toBe(p);
    }
  });
});

describe('OpenTelemetry traces of a pushed receipt', () => {
  it('starts at the receiver and follows the push job through raw and ready to the writer', async () => {
    const receiver = await startOtlpReceiver();
    // `npm start` without configuration: the demo, whose OKKI simulator pushes every edit to our receiver.
    const prefix = `rsync-demo-trace-${randomUUID().slice(0, 8)}`;
    const app = startApp('supervisor', {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'warn',
      DASHBOARD_PORT: String(await LocalRedis.freePort()),
      WEBHOOK_PORT: String(await LocalRedis.freePort()),
      DEMO_RECEIPTS: '20',
      DEMO_ORDERS: '5',
      SYNC_INTERVAL_SECONDS: '2',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '200',
    });
    try {
      // A trace whose root is the receiver's enqueue of a push message and that reached the writer.
      const pushedToWriter = () => {
        const spans = receiver.spans();
        const roots = spans.filter((s) => !s.parentSpanId && s.name.startsWith('add push'));
        return roots.find((root) => {
          const names = new Set(spans.filter((s) => s.traceId === root.traceId).map((s) => s.name));
          return ['process push', 'process raw', 'process ready'].every((n) => names.has(n));
        });
      };
      await waitFor(() => pushedToWriter() !== undefined, 60_000, `a push trace (process output:\n${app.output()})`);
      const trace = receiver.spans().filter((s) => s.traceId === pushedToWriter()!.traceId);
      expect(trace.map((s) => s.name)).toEqual(expect.arrayContaining(['okki invoices/receipt/info', 'addBulk raw']));
      // No receipt-seen root here: the push, not the polling window, saw this version first.
      expect(trace.some((s) => s.name === 'receipt seen')).toBe(false);
    } finally {
      app.child.kill('SIGTERM');
      await app.exited;
      await receiver.close();
      await cleanPrefix(prefix);
    }
  }, 90_000);
});

describe('tracing off', () => {
  it('loads no OpenTelemetry SDK, exporter, instrumentation or bullmq-otel: the pipeline and startTracing import none', () => {
    // prom-client already loads @opentelemetry/api (for exemplars); everything else would be tracing's cost.
    const script = `
      const p = require('./packages/pipeline/src/index.ts');
      p.startTracing({ enabled: false, serviceName: 'off', systems: [] }).then((t) => {
        const loaded = Object.keys(require.cache).filter(
          (k) => /bullmq-otel|@opentelemetry[\\/](?!api[\\/])/.test(k),
        );
        console.log(JSON.stringify({ tracing: t === undefined ? 'off' : 'on', loaded }));
      });`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ tracing: 'off', loaded: [] });
  });
});
