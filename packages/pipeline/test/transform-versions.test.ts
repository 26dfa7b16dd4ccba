import { randomUUID } from 'node:crypto';
import type IORedis from 'ioredis';
import type { Job } from 'bullmq';
import { createLogger } from '@receipt-sync/core';
import { DEFAULT_MAPPING } from '@receipt-sync/mapping';
import { generateDataset } from '@receipt-sync/simulators';
import { createStore, type SyncStore } from '@receipt-sync/store';
import {
  closeQueues,
  createQueues,
  createRedisConnection,
  OutcomeTracker,
  transformReceipt,
  type PipelineJob,
  type PipelineQueues,
  type RawReceiptJob,
  type TransformerDeps,
} from '@receipt-sync/pipeline';

/** The transformer's version rules against a real ledger: the same second, removals, moves. */
describe('transformer: which version of a receipt goes on', () => {
  let redis: IORedis;
  let queues: PipelineQueues;
  let store: SyncStore;
  let deps: TransformerDeps;
  const prefix = `test-tv-${randomUUID().slice(0, 8)}`;
  const base = generateDataset({ seed: 8, receipts: 10, orders: 3 }).receipts.find((r) => r.order_id)!;
  const receipt = (over: Record<string, unknown> = {}) =>
    ({ ...base, update_time: '2025-04-16 10:00:00', ...over }) as unknown as RawReceiptJob['receipt'];
  const job = (r: RawReceiptJob['receipt'], removed = false) =>
    ({ id: `raw-${randomUUID()}`, data: { windowId: 'w1', removed, fetchedAt: '', receipt: r } }) as unknown as Job &
      PipelineJob<'raw'>;
  const readyRows = async () => (await queues.ready.getJobs(['wait'])).map((j) => j.data);

  beforeAll(async () => {
    redis = createRedisConnection('redis://127.0.0.1:6379');
    queues = createQueues(redis, prefix);
    store = createStore({ redis, prefix });
    await store.init();
    deps = {
      queues,
      tracker: new OutcomeTracker(redis, prefix),
      ledger: store.ledger,
      mapping: DEFAULT_MAPPING,
      orders: { get: async () => undefined, put: async () => undefined, putMiss: async () => undefined },
      orderWaitDelaysMs: [1000],
      logger: createLogger({ name: 'test', level: 'silent' }),
    };
  });
  afterEach(async () => {
    await queues.ready.obliterate({ force: true });
  });
  afterAll(async () => {
    await closeQueues(queues);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('remembers a removal that reaches it before anything was written, so the earlier active version never writes', async () => {
    const id = String(base.cash_collection_id);
    // The removal (a new stamp) overtakes the active version, whose receipt/info call is still retrying.
    await transformReceipt(job(receipt({ update_time: '2025-04-16 10:00:05' }), true), undefined, deps);
    expect(await store.ledger.get(id)).toMatchObject({ removed: true, sourceVersion: '2025-04-16 10:00:05' });
    const active = await transformReceipt(job(receipt()), undefined, deps);
    expect(active).toMatchObject({ outcome: 'unchanged', reason: expect.stringContaining('superseded') });
    // Deleted without a new stamp: the active version of the same second loses too (a removal wins a tie).
    const sameSecond = await transformReceipt(job(receipt({ update_time: '2025-04-16 10:00:05' })), undefined, deps);
    expect(sameSecond).toMatchObject({ outcome: 'unchanged' });
    // Only the removal goes on (it flags a row K3Cloud may hold that the ledger lost, never creates one).
    expect((await readyRows()).map((r) => r.removed)).toEqual([true]);
  });

  it('forwards a second edit of the same second (new content, same stamp) under its own ready job', async () => {
    const other = generateDataset({ seed: 9, receipts: 10, orders: 3 }).receipts.find((r) => r.order_id)!;
    const r = (comment: string) =>
      ({ ...other, update_time: '2025-04-16 11:00:00', comment }) as unknown as RawReceiptJob['receipt'];
    await store.ledger.recordWritten({
      receiptId: String(other.cash_collection_id),
      receiptNo: other.cash_collection_no,
      orderId: String(other.order_id),
      sourceVersion: '2025-04-16 11:00:00',
      removed: false,
      contentHash: 'written-before',
      sourceDigest: 'digest-of-the-first-edit',
      k3Fid: 100,
      k3EntryId: 1000,
    });
    expect(await transformReceipt(job(r('second edit')), undefined, deps)).toMatchObject({ outcome: 'forwarded' });
    expect(await transformReceipt(job(r('third edit')), undefined, deps)).toMatchObject({ outcome: 'forwarded' });
    const rows = await readyRows();
    expect(rows.map((row) => row.fields.F_PBLH_Remark).sort()).toEqual(['second edit', 'third edit']);
    expect(new Set(rows.map((row) => row.sourceDigest)).size).toBe(2);
  });
  it('keeps the customer OKKI names in the ledger, so a written receipt still shows it (K3Cloud’s row has none)', async () => {
    const other = generateDataset({ seed: 10, receipts: 10, orders: 3 }).receipts.find((r) => r.order_id)!;
    const id = String(other.cash_collection_id);
    const r = {
      ...other,
      update_time: '2025-04-16 12:00:00',
      company_info: { company_id: 77, name: ' 上海星河贸易有限公司 ' },
    } as unknown as RawReceiptJob['receipt'];
    expect(await transformReceipt(job(r), undefined, deps)).toMatchObject({ outcome: 'forwarded' });
    expect(await store.ledger.get(id)).toMatchObject({ status: 'pending', customer: '上海星河贸易有限公司' });
    // The writer's record of the save carries the K3Cloud fields only.
    await store.ledger.recordWritten({
      receiptId: id,
      receiptNo: other.cash_collection_no,
      orderId: String(other.order_id),
      sourceVersion: '2025-04-16 12:00:00',
      removed: false,
      contentHash: 'h',
      k3Fid: 101,
      k3EntryId: 1001,
      fields: { F_PBLH_Decimal: 10 },
    });
    expect(await store.ledger.get(id)).toMatchObject({ status: 'written', customer: '上海星河贸易有限公司' });
  });

  it('settles a touch without K3Cloud, but sends it on when another version was written while it read OKKI', async () => {
    const other = generateDataset({ seed: 11, receipts: 10, orders: 3 }).receipts.find((r) => r.order_id)!;
    const id = String(other.cash_collection_id);
    const r = (update_time: string) => ({ ...other, update_time }) as unknown as RawReceiptJob['receipt'];
    const info = { capital_account_info: { capital_bank: '招商银行', bank_account: '6225' } };
    const enriched: TransformerDeps = { ...deps, info: { getReceiptInfo: async () => info } };
    // Content A written by the writer (v1).
    expect(await transformReceipt(job(r('2025-04-16 13:00:00')), undefined, enriched)).toMatchObject({
      outcome: 'forwarded',
    });
    const [a] = await readyRows();
    await queues.ready.obliterate({ force: true });
    const writtenA = {
      receiptId: id,
      receiptNo: other.cash_collection_no,
      orderId: String(other.order_id),
      sourceVersion: '2025-04-16 13:00:00',
      removed: false,
      contentHash: a!.contentHash,
      k3Fid: 102,
      k3EntryId: 1002,
    };
    await store.ledger.recordWritten(writtenA);
    // A touch (v2, same content): settled, nothing for the writer.
    expect(await transformReceipt(job(r('2025-04-16 13:00:01')), undefined, enriched)).toMatchObject({
      outcome: 'unchanged',
    });
    expect(await readyRows()).toEqual([]);
    expect(await store.ledger.get(id)).toMatchObject({ status: 'written', sourceVersion: '2025-04-16 13:00:01' });
    // Edits A → B → A: while v4 (content A again) waits for OKKI's receipt/info, v3 (content B) is
    // recorded on its way to K3Cloud. v4 must reach the writer: K3Cloud is about to hold B.
    const racing: TransformerDeps = {
      ...deps,
      info: {
        getReceiptInfo: async () => {
          await store.ledger.recordOutcome(id, { status: 'pending', sourceVersion: '2025-04-16 13:00:02' });
          return info;
        },
      },
    };
    expect(await transformReceipt(job(r('2025-04-16 13:00:03')), undefined, racing)).toMatchObject({
      outcome: 'forwarded',
    });
    expect((await readyRows()).map((row) => row.sourceVersion)).toEqual(['2025-04-16 13:00:03']);
  });
});
