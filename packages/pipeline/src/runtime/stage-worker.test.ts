import { randomUUID } from 'node:crypto';
import { deleteKeys, loadConfig, scanKeys } from '@receipt-sync/core';
import { readyJobId, type ReadyRow } from '../queues';
import { createRuntime, type Runtime } from './runtime';
import { closeWorkers, startWorker } from './stage-worker';

const row: ReadyRow = {
  windowId: 'w-1',
  receiptId: '7001',
  receiptNo: 'SK7001',
  orderId: '9001',
  sourceVersion: '2025-04-15 10:00:00',
  removed: false,
  rowKey: 'SK7001',
  fields: { F_PBLH_CashCollectionNo: 'SK7001' },
  contentHash: 'h-7001',
};

describe('stage worker backstop', () => {
  let rt: Runtime;
  const prefix = `t-backstop-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    const env = {
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'silent',
    };
    rt = await createRuntime(loadConfig(env), { name: 'test-backstop' });
  });

  afterAll(async () => {
    await deleteKeys(rt.connection, await scanKeys(rt.connection, `${prefix}*`));
    await rt.close();
  });

  it('a job BullMQ fails on its own is dead-lettered and the ledger says so, with the reason', async () => {
    // The transformer leaves the entry pending when it forwards the row.
    await rt.store.ledger.recordOutcome(row.receiptId, {
      status: 'pending',
      receiptNo: row.receiptNo,
      orderId: row.orderId,
      sourceVersion: row.sourceVersion,
    });
    const worker = startWorker(
      rt,
      'ready',
      async () => {
        throw new Error('job stalled more than allowable limit');
      },
      1,
    );
    try {
      await rt.queues.ready.add('row', row, {
        jobId: readyJobId(row.receiptId, row.sourceVersion, false),
        attempts: 1,
      });
      const deadline = Date.now() + 15_000;
      while ((await rt.store.ledger.get(row.receiptId))?.status !== 'dead-lettered' && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
    } finally {
      await closeWorkers(rt, [worker]);
    }
    const entry = await rt.store.ledger.get(row.receiptId);
    expect(entry).toMatchObject({
      status: 'dead-lettered',
      receiptNo: 'SK7001',
      orderId: '9001',
      sourceVersion: row.sourceVersion,
      deadLetterId: `dl-${readyJobId(row.receiptId, row.sourceVersion, false)}`,
      lastError: { message: expect.stringContaining('stalled more than allowable limit') },
    });
    expect(await rt.queues['dead-letter'].getJob(entry!.deadLetterId!)).toBeDefined();
  });
});
