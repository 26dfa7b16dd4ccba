import { randomBytes } from 'node:crypto';
import { Worker, type Queue } from 'bullmq';
import type IORedis from 'ioredis';
import {
  closeQueues,
  createQueues,
  createRedisConnection,
  RawReceiptJobSchema,
  readyJobId,
  type PipelineQueues,
} from '@receipt-sync/pipeline';
import { createStore, type SyncStore } from '@receipt-sync/store';
import { fixReconcile } from '../src';
import type { Finding } from '../src/types';
import { FID, ORDER_ID, receipt } from './fixtures';

const A = receipt();
const B = receipt({ cash_collection_id: 5221565014, cash_collection_no: 'HK202504150113' });
const C = receipt({ cash_collection_id: 5221565015, cash_collection_no: 'HK202504150114' });
const D = receipt({ cash_collection_id: 5221565016, cash_collection_no: 'HK202504150115' });

const finding = (category: Finding['category'], r: Record<string, unknown>, removed = false): Finding => ({
  category,
  receiptNo: String(r.cash_collection_no),
  receiptId: String(r.cash_collection_id),
  orderId: ORDER_ID,
  fid: FID,
  entryId: 7,
  reason: 'test',
  source: { receipt: r, removed },
});

let redis: IORedis;
let queues: PipelineQueues;
let store: SyncStore;
let prefix: string;

beforeAll(async () => {
  prefix = `rtest-reconcile-${randomBytes(4).toString('hex')}`;
  redis = createRedisConnection('redis://127.0.0.1:6379');
  queues = createQueues(redis, prefix);
  store = createStore({ redis, prefix });
  await store.init();
});

afterAll(async () => {
  await closeQueues(queues);
  await store.close();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

/** A ready job of this exact version that a writer already finished (retained for a day, catalog.ts). */
async function finishedReadyJob(r: Record<string, unknown>): Promise<void> {
  const id = readyJobId(String(r.cash_collection_id), String(r.update_time), false);
  const connection = redis.duplicate();
  const worker = new Worker('ready', async () => ({ outcome: 'written' }), { connection, prefix });
  const done = new Promise<void>((resolve) => worker.on('completed', (job) => job.id === id && resolve()));
  await (queues.ready as Queue).add('row', { receiptId: String(r.cash_collection_id) }, { jobId: id });
  await done;
  await worker.close();
  await connection.quit();
}

describe('fixReconcile', () => {
  it('re-enqueues missing, stale and removed-not-flagged receipts as fresh raw jobs the pipeline will not skip', async () => {
    await store.ledger.recordWritten({
      receiptId: String(A.cash_collection_id),
      receiptNo: String(A.cash_collection_no),
      orderId: ORDER_ID,
      sourceVersion: String(A.update_time),
      removed: false,
      contentHash: 'h1',
      k3Fid: FID,
      k3EntryId: 7,
    });
    await finishedReadyJob(A);
    const now = new Date('2025-05-01T00:00:00Z');
    const result = await fixReconcile(
      { queues, ledger: store.ledger, now: () => now },
      {
        findings: [
          finding('stale', A),
          finding('missing', C),
          finding('removed-not-flagged', B, true),
          { category: 'duplicated', receiptNo: 'HK9', fid: FID, entryIds: [1, 2], reason: 'two rows' },
        ],
      },
    );

    const stamp = now.getTime();
    expect(result.enqueued.map((e) => e.jobId)).toEqual([
      `raw-5221565013-20250415174713-active-reconcile${stamp}`,
      `raw-5221565015-20250415174713-active-reconcile${stamp}`,
    ]);
    expect(result.skipped).toEqual([
      expect.objectContaining({
        receiptNo: 'HK202504150113',
        reason: expect.stringMatching(/no K3Cloud row.*by hand/),
      }),
    ]);
    expect(result.leftForHumans).toBe(1);

    const job = await queues.raw.getJob(result.enqueued[0]!.jobId);
    expect(job?.data).toEqual({
      windowId: `reconcile-${stamp}`,
      removed: false,
      fetchedAt: now.toISOString(),
      receipt: A,
    });
    expect(RawReceiptJobSchema.strict().safeParse(job?.data).success).toBe(true);
    // the finished write of this version no longer blocks the transformer's ready job, and the ledger no longer says "written"
    expect(await queues.ready.getJob(readyJobId('5221565013', String(A.update_time), false))).toBeUndefined();
    expect((await store.ledger.get('5221565013'))?.status).toBe('pending');
    expect(await store.ledger.get('5221565015')).toBeUndefined();
  });

  it('adds a new job on every run instead of being deduplicated onto the last one', async () => {
    const run = (ms: number) =>
      fixReconcile({ queues, ledger: store.ledger, now: () => new Date(ms) }, { findings: [finding('missing', D)] });
    const first = await run(1_000_000);
    const second = await run(2_000_000);
    expect(first.enqueued[0]!.jobId).not.toBe(second.enqueued[0]!.jobId);
    expect(await queues.raw.getJob(first.enqueued[0]!.jobId)).toBeDefined();
    expect(await queues.raw.getJob(second.enqueued[0]!.jobId)).toBeDefined();
  });

  it('leaves a receipt alone while a write of the same version is still queued', async () => {
    const E = receipt({ cash_collection_id: 5221565017, cash_collection_no: 'HK202504150116' });
    await (queues.ready as Queue).add(
      'row',
      {},
      { jobId: readyJobId('5221565017', String(E.update_time), false), delay: 60_000 },
    );
    const result = await fixReconcile({ queues, ledger: store.ledger }, { findings: [finding('missing', E)] });
    expect(result.enqueued).toEqual([]);
    expect(result.skipped[0]?.reason).toMatch(/already queued \(delayed\)/);
  });
});
