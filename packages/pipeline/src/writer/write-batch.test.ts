import {
  AmbiguousWriteError,
  createLogger,
  K3CloudRequestFilterError,
  K3CloudWriteNotAppliedError,
  SalesOrderNotFoundError,
  WriterNotActiveError,
} from '@receipt-sync/core';
import { DEFAULT_MAPPING, fieldKinds } from '@receipt-sync/mapping';
import type { BillQueryRequest } from '@receipt-sync/k3cloud';
import type { ReadyRow } from '../queues';
import type { K3CloudWriter, WriterLedger } from './ports';
import type { PendingRow, RowResult } from './row-batcher';
import { createBatchWriter, type BatchWriterDeps } from './write-batch';

const LOCATOR = {
  formId: 'SAL_SaleOrder',
  entity: 'F_PBLH_Entity',
  rowKeyField: 'F_PBLH_CashCollectionNo',
  orderKeyField: 'F_Cash_Collection_Id',
  removedField: 'F_PBLH_Removed',
};

/** THE read before a save of receipt HK1 on order 9: the order's rows, and HK1's rows on any order. */
const BEFORE_9 = "(F_Cash_Collection_Id IN ('9')) OR F_PBLH_CashCollectionNo IN ('HK1')";

function row(fields: Record<string, string | boolean | null>, orderId = '9'): ReadyRow {
  return {
    windowId: 'w',
    receiptId: '1',
    receiptNo: 'HK1',
    orderId,
    sourceVersion: '2025-04-15 00:00:00',
    removed: false,
    rowKey: 'HK1',
    fields: { F_PBLH_CashCollectionNo: 'HK1', ...fields },
    contentHash: 'h',
  };
}

/**
 * A K3Cloud holding sales order FID 100 for OKKI order 9 that answers every BatchSave with success
 * and the post-save read with `held` (FID, FBillNo, FDocumentStatus, entry id, row key, then the
 * fields in the order sent).
 */
function fakeK3(status: string, held: unknown[] | undefined, answerLost = false) {
  const queries: string[] = [];
  const saves: unknown[] = [];
  const k3: K3CloudWriter = {
    batchSave: async (_form, models) => {
      saves.push(...models);
      if (answerLost) throw new AmbiguousWriteError('socket closed after the request was sent');
      return { results: [{ dIndex: 0, ok: true, id: 100, errors: [] }] };
    },
    executeBillQuery: async (q: BillQueryRequest) => {
      queries.push(String(q.filterString));
      // THE read before the save: order 9 is FID 100, no receipt row yet.
      if (String(q.fieldKeys).startsWith('FID,FBillNo,F_Cash_Collection_Id')) {
        return String(q.filterString).includes("'9'") ? [[100, 'XSDD000100', '9', null, null]] : [];
      }
      return [held ? [100, 'XSDD000100', status, 7001, 'HK1', ...held] : [100, 'XSDD000100', status, null, null]];
    },
    unAudit: async () => undefined,
    submit: async () => undefined,
    audit: async () => undefined,
  };
  return { k3, queries, saves };
}

const ledger: WriterLedger = {
  getMany: async () => new Map(),
  recordWritten: async () => undefined,
  recordOutcome: async () => undefined,
} as unknown as WriterLedger;

/** The batch writer as the active writer builds it, on `k3` and the empty ledger; `extra` replaces any option. */
function writerFor(k3: K3CloudWriter, extra: Partial<BatchWriterDeps> = {}) {
  return createBatchWriter({
    k3,
    ledger,
    fence: async () => undefined,
    logger: createLogger({ name: 'test', level: 'silent' }),
    locator: LOCATOR,
    saveOptions: { isDeleteEntry: false },
    fieldKinds: fieldKinds(DEFAULT_MAPPING),
    lockedOrderPolicy: 'wait',
    requeue: () => undefined,
    ...extra,
  });
}

async function writeOne(k3: K3CloudWriter, r: ReadyRow, fence = async () => undefined) {
  const notApplied: Array<[string, number]> = [];
  const index = { hits: new Map<string, number>(), misses: [] as string[] };
  const write = writerFor(k3, {
    fence,
    orderIndex: {
      put: async (orderId, value) => void index.hits.set(orderId, value.fid),
      putMiss: async (orderId) => void index.misses.push(orderId),
    },
    onNotApplied: (cause, n) => notApplied.push([cause, n]),
  });
  const outcome = new Promise<RowResult>((resolve, reject) => {
    const pending: PendingRow = { row: r, solo: false, resolve, reject };
    write([pending]).catch(reject); // as the batcher does with a batch that fails
  });
  return { outcome: await outcome.catch((e: unknown) => e), notApplied, index };
}

describe('verified writes: the read after BatchSave', () => {
  const sent = { F_PBLH_Decimal: '1200.50', F_PBLH_Date: '2025-04-16 00:00:00', F_PBLH_Removed: false };

  it('counts a row written when K3Cloud holds every field, normalised (decimal, date, bool)', async () => {
    const { k3, queries } = fakeK3('A', [1200.5, '2025-04-16T00:00:00', 0]);
    const { outcome, notApplied } = await writeOne(k3, row(sent));
    expect(outcome).toEqual({ outcome: 'written', fid: 100, entryId: 7001 });
    expect(notApplied).toEqual([]);
    // Before (the orders, and the receipt on any other order) and after, nothing else.
    expect(queries).toEqual([BEFORE_9, 'FID IN (100)']);
  });

  it('dead-letters write-not-applied naming the fields when an unlocked order does not hold them', async () => {
    const { k3 } = fakeK3('A', [1000, '2025-04-16T00:00:00', 0]);
    const { outcome, notApplied } = await writeOne(k3, row(sent));
    expect(outcome).toBeInstanceOf(K3CloudWriteNotAppliedError);
    expect(outcome).toMatchObject({ code: 'k3cloud.write-not-applied', fields: ['F_PBLH_Decimal'] });
    expect((outcome as Error).message).toMatch(
      /sales order XSDD000100: .*does not hold F_PBLH_Decimal \(F_PBLH_Decimal sent "1200.50", K3Cloud holds 1000\)/,
    );
    expect(notApplied).toEqual([['not-applied', 1]]);
  });

  it('treats a row missing after a successful save on an audited order as locked', async () => {
    const { k3 } = fakeK3('C', undefined);
    const { outcome, notApplied } = await writeOne(k3, row(sent));
    expect(outcome).toMatchObject({ code: 'k3cloud.order-locked', billNo: 'XSDD000100', status: 'C' });
    expect(notApplied).toEqual([['order-locked', 1]]);
  });
});

describe('a BatchSave whose answer was lost', () => {
  const sent = { F_PBLH_Decimal: '1200.50', F_PBLH_Date: '2025-04-16 00:00:00', F_PBLH_Removed: false };

  it('counts the row written, without a retry, when the read after it finds the row as sent', async () => {
    const { k3, queries, saves } = fakeK3('A', [1200.5, '2025-04-16T00:00:00', 0], true);
    const { outcome } = await writeOne(k3, row(sent));
    expect(outcome).toEqual({ outcome: 'written', fid: 100, entryId: 7001 });
    expect(saves).toHaveLength(1);
    expect(queries).toEqual([BEFORE_9, 'FID IN (100)']);
  });

  it('sends the row back with the lost answer when K3Cloud does not hold it (its next attempt reads first)', async () => {
    const { k3 } = fakeK3('A', undefined, true);
    const { outcome } = await writeOne(k3, row(sent));
    expect(outcome).toBeInstanceOf(AmbiguousWriteError);
  });
});

describe('the query before the save resolves the orders', () => {
  it('finds the FID by order id, saves to it and caches it for the transformer', async () => {
    const { k3, saves } = fakeK3('A', [null, null, null]);
    const { outcome, index } = await writeOne(k3, row({}));
    expect(outcome).toMatchObject({ outcome: 'written', fid: 100 });
    expect(saves).toEqual([expect.objectContaining({ FID: 100 })]);
    expect(index.hits).toEqual(new Map([['9', 100]]));
  });

  it('holds a row whose order K3Cloud lacks (long back-off) without saving, and caches the miss', async () => {
    const { k3, queries, saves } = fakeK3('A', undefined);
    const { outcome, index } = await writeOne(k3, row({}, '8'));
    expect(outcome).toBeInstanceOf(SalesOrderNotFoundError);
    expect((outcome as Error).message).toMatch('sales order not found in K3Cloud (F_Cash_Collection_Id = 8)');
    expect(saves).toEqual([]);
    // The combined query, then header keys only: an order without receipt rows is not taken for missing.
    expect(queries).toEqual([
      "(F_Cash_Collection_Id IN ('8')) OR F_PBLH_CashCollectionNo IN ('HK1')",
      "F_Cash_Collection_Id IN ('8')",
    ]);
    expect(index.misses).toEqual(['8']);
  });
});

describe('the fencing check before BatchSave', () => {
  it('sends nothing once this process is no longer the active writer, and the row waits for the one that is', async () => {
    const { k3, saves } = fakeK3('A', [null, null, null]);
    const lost = async () => {
      throw new WriterNotActiveError('another writer holds the lease');
    };
    const { outcome } = await writeOne(k3, row({}), lost);
    expect(outcome).toBeInstanceOf(WriterNotActiveError);
    expect(outcome).toMatchObject({ code: 'writer.not-active', disposition: 'rate-limited' });
    expect(saves).toEqual([]);
  });
});

describe('a receipt on two rows of one order', () => {
  const sent = { F_PBLH_Decimal: '1200.50', F_PBLH_Removed: false };
  /** K3Cloud holding receipt HK1 twice on order 9 (FID 100): rows 7001 and 7002, neither flagged. */
  function twice(flaggedAfterSave: boolean) {
    const saves: Array<Record<string, unknown>> = [];
    const k3: K3CloudWriter = {
      batchSave: async (_form, models) => {
        saves.push(...models);
        return { results: [{ dIndex: 0, ok: true, id: 100, errors: [] }] };
      },
      executeBillQuery: async (q: BillQueryRequest) => {
        if (String(q.fieldKeys).startsWith('FID,FBillNo,F_Cash_Collection_Id')) {
          return [
            [100, 'XSDD000100', '9', 7001, 'HK1', 'A'],
            [100, 'XSDD000100', '9', 7002, 'HK1', 'A'],
          ];
        }
        return [
          [100, 'XSDD000100', 'A', 7001, 'HK1', 1200.5, 0],
          [100, 'XSDD000100', 'A', 7002, 'HK1', 1200.5, flaggedAfterSave ? 1 : 0],
        ];
      },
      unAudit: async () => undefined,
      submit: async () => undefined,
      audit: async () => undefined,
    };
    return { k3, saves };
  }

  it('updates the first row and flags the other removed in the same save, then counts the row written', async () => {
    const { k3, saves } = twice(true);
    const { outcome } = await writeOne(k3, row(sent));
    expect(outcome).toEqual({ outcome: 'written', fid: 100, entryId: 7001 });
    expect(saves[0]).toMatchObject({
      FID: 100,
      F_PBLH_Entity: [
        expect.objectContaining({ FEntryID: 7001, F_PBLH_Decimal: '1200.50' }),
        { FEntryID: 7002, F_PBLH_CashCollectionNo: 'HK1', F_PBLH_Removed: true },
      ],
    });
  });

  it('does not count the row written while another active row of the receipt remains, and says so', async () => {
    const { k3 } = twice(false);
    const { outcome } = await writeOne(k3, row(sent));
    expect(outcome).toMatchObject({ code: 'k3cloud.duplicate-rows', entryIds: [7001, 7002] });
  });
});

describe("K3Cloud's request filter", () => {
  it('holds back only the row whose text trips it, saves the rest, and stops after a few requests', async () => {
    let saves = 0;
    const k3: K3CloudWriter = {
      batchSave: async (_form, models) => {
        saves += 1;
        if (JSON.stringify(models).includes('<'))
          throw new K3CloudRequestFilterError('caller_in_less_Point_Bracket', '请求参数存在可疑数据');
        return { results: models.map((_, i) => ({ dIndex: i, ok: true, id: 100, errors: [] })) };
      },
      executeBillQuery: async (q: BillQueryRequest) => {
        if (String(q.fieldKeys).startsWith('FID,FBillNo,F_Cash_Collection_Id'))
          return [[100, 'XSDD000100', '9', null, null]];
        return [
          [100, 'XSDD000100', 'A', 7001, 'HK1', 'fine'],
          [100, 'XSDD000100', 'A', 7002, 'HK2', null],
        ];
      },
      unAudit: async () => undefined,
      submit: async () => undefined,
      audit: async () => undefined,
    };
    const write = writerFor(k3);
    const good = { ...row({ F_PBLH_Remark: 'fine' }), receiptId: '1' };
    const bad = { ...row({ F_PBLH_Remark: '<b>加急</b>' }), receiptId: '2', receiptNo: 'HK2', rowKey: 'HK2' };
    bad.fields.F_PBLH_CashCollectionNo = 'HK2';
    const pending: PendingRow[] = [];
    const results = [good, bad].map(
      (r) => new Promise<unknown>((resolve) => pending.push({ row: r, solo: false, resolve, reject: resolve })),
    );
    await write(pending);
    const [first, second] = await Promise.all(results);
    expect(first).toMatchObject({ outcome: 'written', entryId: 7001 });
    expect(second).toBeInstanceOf(K3CloudRequestFilterError);
    expect(second).toMatchObject({
      code: 'k3cloud.request-filtered',
      details: { receiptNo: 'HK2', fields: ['F_PBLH_Remark'] },
    });
    expect(saves).toBe(3); // the batch, the rest without the bad row, the bad row alone
  });
});

describe('a receipt moved to another order while the ledger knows nothing of it (Redis emptied)', () => {
  it('flags the row K3Cloud holds on the previous order in the same save, found by receipt number', async () => {
    const saves: Array<Record<string, unknown>> = [];
    const k3: K3CloudWriter = {
      batchSave: async (_form, models) => {
        saves.push(...models);
        return { results: models.map((_, i) => ({ dIndex: i, ok: true, id: 100, errors: [] })) };
      },
      executeBillQuery: async (q: BillQueryRequest) => {
        if (String(q.fieldKeys).startsWith('FID,FBillNo,F_Cash_Collection_Id')) {
          return [
            [100, 'XSDD000100', '9', null, null, 'A', null],
            [90, 'XSDD000090', '7', 555, 'HK1', 'A', 0], // HK1 still counts on order 7
          ];
        }
        // THE read after: the previous row flagged, the new one as sent.
        return [
          [90, 'XSDD000090', 'A', 555, 'HK1', null, 1],
          [100, 'XSDD000100', 'A', 7001, 'HK1', 1200.5, 0],
        ];
      },
      unAudit: async () => undefined,
      submit: async () => undefined,
      audit: async () => undefined,
    };
    const reserved: string[] = [];
    const write = writerFor(k3); // its ledger knows nothing
    const outcome = new Promise<unknown>((resolve) =>
      write(
        [{ row: row({ F_PBLH_Decimal: '1200.50', F_PBLH_Removed: false }), solo: false, resolve, reject: resolve }],
        (order) => (reserved.push(order), true),
      ),
    );
    expect(await outcome).toEqual({ outcome: 'written', fid: 100, entryId: 7001 });
    expect(reserved).toEqual(['7']);
    expect(saves).toEqual([
      expect.objectContaining({ FID: 100 }),
      { FID: 90, F_PBLH_Entity: [{ FEntryID: 555, F_PBLH_CashCollectionNo: 'HK1', F_PBLH_Removed: true }] },
    ]);
  });
});

describe('two versions of one receipt in one batch', () => {
  it('saves the newer version and settles the older one as superseded by it', async () => {
    const { k3, saves } = fakeK3('A', ['new']);
    const write = writerFor(k3);
    const newer = { ...row({ F_PBLH_Remark: 'new' }), sourceVersion: '2025-04-16 00:00:00' };
    const older = row({ F_PBLH_Remark: 'old' });
    const outcomes = [newer, older].map((r) => {
      let pending!: PendingRow;
      const settled = new Promise<RowResult>((resolve, reject) => (pending = { row: r, solo: false, resolve, reject }));
      return { pending, settled };
    });
    await write(outcomes.map((o) => o.pending));
    expect(JSON.stringify(saves)).toContain('"new"');
    expect(JSON.stringify(saves)).not.toContain('"old"');
    await expect(outcomes[1]!.settled).resolves.toEqual({
      outcome: 'unchanged',
      reason: 'superseded by version 2025-04-16 00:00:00',
    });
  });
});
