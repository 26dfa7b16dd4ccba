import { randomUUID } from 'node:crypto';
import { Worker } from 'bullmq';
import { Writable } from 'node:stream';
import { createLogger, deleteKeys, OkkiBusinessError, scanKeys } from '@receipt-sync/core';
import { createStore, type SyncStore } from '@receipt-sync/store';
import {
  closeQueues,
  createQueues,
  createRedisConnection,
  OutcomeTracker,
  rawJobId,
  readyJobId,
  receiptVersionKey,
  queueKeyPrefix,
  type PipelineQueues,
} from '../queues';
import { parseVersionKey, sweepStuckReceipts, type StuckSweepDeps } from './sweep-stuck';

const logger = createLogger({
  name: 'test',
  level: 'silent',
  pretty: false,
  destination: new Writable({ write: (_c, _e, cb) => cb() }),
});

const V = '2025-04-15 10:00:00';
const STUCK_MS = 60_000;

describe('sweepStuckReceipts', () => {
  const prefix = `t-stuck-${randomUUID().slice(0, 8)}`;
  const redis = createRedisConnection(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  let queues: PipelineQueues;
  let store: SyncStore;
  let tracker: OutcomeTracker;
  const fetched: number[] = [];
  /** What OKKI's receipt/info answers now, per receipt id. */
  const okkiHas = new Map<number, Record<string, unknown> | 'gone'>();
  let deps: StuckSweepDeps;

  beforeAll(async () => {
    queues = createQueues(redis, prefix);
    store = createStore({ redis, prefix });
    await store.init();
    tracker = new OutcomeTracker(redis, prefix);
    deps = {
      queues,
      tracker,
      ledger: store.ledger,
      logger,
      okki: {
        async getReceiptInfo(id: number) {
          fetched.push(id);
          const answer = okkiHas.get(id);
          if (answer === 'gone' || answer === undefined)
            throw new OkkiBusinessError(404, 'Not Found Resource', '/v1/invoices/receipt/info');
          return answer;
        },
      },
    };
  });

  afterAll(async () => {
    await closeQueues(queues);
    await store.close();
    await deleteKeys(redis, await scanKeys(redis, `${prefix}*`));
    await redis.quit();
  });

  const receipt = (id: number, updateTime = V) => ({ cash_collection_id: id, update_time: updateTime, enable_flag: 1 });
  const seenLongAgo = (id: number, updateTime = V) =>
    tracker.recordSeen([receiptVersionKey(id, updateTime, false)], { at: new Date(Date.now() - 2 * STUCK_MS) });

  it('re-queues versions with no outcome and no live job, and leaves alone those that have either', async () => {
    // 101: its raw job was lost. 102: its raw job still waits. 103: written meanwhile. 104: the transformer
    // forwarded it (ready job ended) and the ledger says pending. 105: OKKI no longer has it. 106: seen just now.
    for (const id of [101, 102, 103, 105]) await seenLongAgo(id);
    // The sweep below runs as if SYNC_STUCK_SECONDS had passed: 106 is seen at that "now".
    await tracker.recordSeen([receiptVersionKey(106, V, false)], { at: new Date(Date.now() + STUCK_MS) });
    await queues.raw.add(
      'receipt',
      { windowId: 'w', removed: false, fetchedAt: '', receipt: receipt(102) },
      {
        jobId: rawJobId(102, V, false),
      },
    );
    await store.ledger.recordWritten({
      receiptId: '103',
      receiptNo: 'SK103',
      orderId: '9',
      sourceVersion: V,
      removed: false,
      contentHash: 'h',
      k3Fid: 1,
      k3EntryId: 2,
    });
    await store.ledger.recordOutcome('104', { status: 'pending', receiptNo: 'SK104', orderId: '9', sourceVersion: V });
    // Its ready job ended (completed) without the writer's outcome reaching the ledger: the id is still taken.
    const worker = new Worker('ready', async () => 'done', {
      connection: redis,
      prefix: queueKeyPrefix(prefix, 'ready'),
    });
    await queues.ready.add('row', { receiptId: '104' } as never, { jobId: readyJobId(104, V, false) });
    while ((await queues.ready.getJobState(readyJobId(104, V, false))) !== 'completed')
      await new Promise((r) => setTimeout(r, 20));
    await worker.close();
    for (const id of [101, 102, 103, 104, 106]) okkiHas.set(id, receipt(id));
    okkiHas.set(105, 'gone');

    // The ledger entry for 104 was updated just now: sweep as if a little more than SYNC_STUCK_SECONDS went by.
    const now = new Date(Date.now() + STUCK_MS + 1_000);
    const sweptAt = new Date();
    const report = await sweepStuckReceipts(deps, { stuckMs: STUCK_MS, now });

    expect(report.samples.map((s) => [s.receiptId, s.result]).sort()).toEqual([
      ['101', 'redriven'],
      ['104', 'redriven'],
      ['105', 'gone'],
    ]);
    expect(report).toMatchObject({ stuck: 3, redriven: 2, stuckSeconds: 60 });
    expect(fetched.sort()).toEqual([101, 104, 105]);
    for (const id of [101, 104]) expect(await queues.raw.getJobState(rawJobId(id, V, false))).toBe('waiting');
    // The ended ready job was removed, so the transformer's add under that id is not ignored.
    expect(await queues.ready.getJobState(readyJobId(104, V, false))).toBe('unknown');
    // Settled and gone versions leave the in-flight record; re-queued ones start again from now.
    const left = await tracker.inFlightBefore(new Date(Date.now() + 10 * STUCK_MS), 100);
    expect(left.sort()).toEqual([101, 102, 104, 106].map((id) => receiptVersionKey(id, V, false)).sort());
    expect(await tracker.inFlightBefore(sweptAt, 100)).toEqual([receiptVersionKey(102, V, false)]);
  });

  it('reads the version keys the pipeline writes', () => {
    expect(parseVersionKey(receiptVersionKey(7, '2025-04-15 10:00:09', true))).toEqual({
      receiptId: '7',
      version: '2025-04-15 10:00:09',
      removed: true,
    });
    expect(parseVersionKey('unreadable-abc')).toBeUndefined();
  });
});
