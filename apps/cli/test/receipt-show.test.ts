import { randomBytes } from 'node:crypto';
import type IORedis from 'ioredis';
import { closeQueues, createQueues, createRedisConnection, type PipelineQueues } from '@receipt-sync/pipeline';
import { createStore, type SyncStore } from '@receipt-sync/store';
import { lastJson, runCli } from './run-cli';

let redis: IORedis;
let queues: PipelineQueues;
let store: SyncStore;
let env: NodeJS.ProcessEnv;
const V1 = '2025-04-15 17:47:13';

beforeAll(async () => {
  const prefix = `rtest-cli-${randomBytes(4).toString('hex')}`;
  env = { QUEUE_PREFIX: prefix, REDIS_URL: 'redis://127.0.0.1:6379', MONGO_URL: '' };
  redis = createRedisConnection('redis://127.0.0.1:6379');
  queues = createQueues(redis, prefix);
  store = createStore({ redis, prefix });
  await store.history.record([{ receiptId: '5221565013', updateTime: V1, removed: false, source: 'window' }]);
  await store.orders.put('3564000001', { fid: 100001, billNo: 'XSDD000001' });
  await store.ledger.recordWritten({
    receiptId: '5221565013',
    receiptNo: 'HK202504150112',
    orderId: '3564000001',
    sourceVersion: V1,
    removed: false,
    contentHash: 'h',
    k3Fid: 100001,
    k3EntryId: 555,
    fields: { F_PBLH_Decimal: '1200.00' },
  });
  // Asked from the receipt page; no producer has taken it yet.
  await queues.reconcile.add(
    'reconcile',
    {
      receiptId: '5221565013',
      receiptNo: 'HK202504150112',
      window: { from: V1, to: V1 },
      fix: false,
      requestedAt: new Date().toISOString(),
    },
    { jobId: 'reconcile-5221565013' },
  );
});

afterAll(async () => {
  await closeQueues(queues);
  await store.close();
  const keys = await redis.keys(`${env.QUEUE_PREFIX}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

describe('receipt show', () => {
  it('prints the receipt found by its number, as JSON with --json', () => {
    const run = runCli(['receipt', 'show', 'HK202504150112', '--json'], env);
    expect(run.status).toBe(0);
    expect(lastJson(run)).toMatchObject({
      kind: 'receipt',
      receipt: {
        receiptId: '5221565013',
        outcome: 'written',
        order: { fid: 100001, billNo: 'XSDD000001' },
        row: { entryId: 555, fields: { F_PBLH_Decimal: '1200.00' } },
        versions: [{ updateTime: V1, source: 'window' }],
      },
    });
  });

  it('prints a readable summary, lists an order for its FBillNo, and exits 2 for an unknown key', () => {
    const human = runCli(['receipt', 'show', '5221565013'], env);
    expect(human.status).toBe(0);
    expect(human.stdout).toContain('receipt HK202504150112 (id 5221565013): written');
    expect(human.stdout).toContain('FBillNo XSDD000001');
    expect(human.stdout).toMatch(/F_PBLH_Decimal\s+1200\.00/);
    expect(human.stdout).toMatch(/last reconcile request: waiting \d+ s/);
    const order = runCli(['receipt', 'show', 'XSDD000001'], env);
    expect(order.stdout).toContain('OKKI order 3564000001 (K3Cloud XSDD000001): 1 receipt');
    const none = runCli(['receipt', 'show', 'HK404'], env);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('no receipt or order matches "HK404"');
  });

  it('reindexes the ledger', () => {
    const run = runCli(['ledger', 'reindex', '--json'], env);
    expect(run.status).toBe(0);
    expect(lastJson(run)).toMatchObject({ entries: 1 });
  });
});
