import {
  AmbiguousWriteError,
  createLogger,
  K3CloudWriteNotAppliedError,
  SalesOrderNotFoundError,
} from '@receipt-sync/core';
import { DEFAULT_MAPPING, fieldKinds } from '@receipt-sync/mapping';
import type { BillQueryRequest } from '@receipt-sync/k3cloud';
import type { OrderLocks } from '../locks';
import type { ReadyRow } from '../queues';
import type { K3CloudWriter, WriterLedger } from './ports';
import type { PendingRow, RowResult } from './row-batcher';
import { createBatchWriter } from './write-batch';

const LOCATOR = {
  formId: 'SAL_SaleOrder',
  entity: 'F_PBLH_Entity',
  rowKeyField: 'F_PBLH_CashCollectionNo',
  orderKeyField: 'F_Cash_Collection_Id',
};

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

const locks = {
  acquire: async (fids: number[]) => fids,
  hold: async <T>(_fids: number[], work: () => Promise<T>) => work(),
} as unknown as OrderLocks;

async function writeOne(k3: K3CloudWriter, r: ReadyRow) {
  const notApplied: Array<[string, number]> = [];
  const index = { hits: new Map<string, number>(), misses: [] as string[] };
  const write = createBatchWriter({
    k3,
    ledger,
    locks,
    orderIndex: {
      put: async (orderId, value) => void index.hits.set(orderId, value.fid),
      putMiss: async (orderId) => void index.misses.push(orderId),
    },
    logger: createLogger({ name: 'test', level: 'silent' }),
    locator: LOCATOR,
    saveOptions: { isDeleteEntry: false },
    fieldKinds: fieldKinds(DEFAULT_MAPPING),
    lockedOrderPolicy: 'wait',
    requeue: () => undefined,
    onNotApplied: (cause, n) => notApplied.push([cause, n]),
  });
  const outcome = new Promise<RowResult>((resolve, reject) => {
    const pending: PendingRow = { row: r, solo: false, resolve, reject };
    void write([pending]);
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
    expect(queries).toEqual(["F_Cash_Collection_Id IN ('9')", 'FID IN (100)']); // before and after, nothing else
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
    expect(queries).toEqual(["F_Cash_Collection_Id IN ('9')", 'FID IN (100)']);
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
    expect(queries).toEqual(["F_Cash_Collection_Id IN ('8')", "F_Cash_Collection_Id IN ('8')"]);
    expect(index.misses).toEqual(['8']);
  });
});

describe('orders another replica holds', () => {
  it('puts their rows back after lockRetryMs and tops the batch up again until it holds rows it may write', async () => {
    const { k3, saves } = fakeK3('A', [null, null, null]);
    const requeued: Array<[string, number | undefined]> = [];
    const refuse = new Set(['1', '2', '3']);
    const replicaLocks = {
      acquire: async (orders: string[]) => orders.filter((o) => !refuse.has(o)),
      hold: async <T>(_orders: string[], work: () => Promise<T>) => work(),
    } as unknown as OrderLocks;
    const write = createBatchWriter({
      k3,
      ledger,
      locks: replicaLocks,
      logger: createLogger({ name: 'test', level: 'silent' }),
      locator: LOCATOR,
      saveOptions: { isDeleteEntry: false },
      fieldKinds: fieldKinds(DEFAULT_MAPPING),
      lockedOrderPolicy: 'wait',
      lockRetryMs: 250,
      requeue: (p, afterMs) => requeued.push([p.row.orderId, afterMs]),
    });
    const pending = (orderId: string) => {
      let p!: PendingRow;
      const result = new Promise<RowResult>(
        (resolve, reject) => (p = { row: row({}, orderId), solo: false, resolve, reject }),
      );
      return { p, result };
    };
    const batch = [pending('1'), pending('2')];
    // Waiting rows the batch may take: order 3 (held elsewhere too), then order 9 (free).
    const waiting = [[pending('3')], [pending('9')]];
    const topUps: number[] = [];
    await write(
      batch.map((b) => b.p),
      (max) => {
        topUps.push(max);
        return (waiting.shift() ?? []).map((b) => b.p);
      },
    );
    expect(requeued).toEqual([
      ['1', 250],
      ['2', 250],
      ['3', 250],
    ]);
    expect(topUps).toEqual([2, 2, 1]); // room for two, still two after order 3 was refused, then one
    expect(saves).toEqual([expect.objectContaining({ FID: 100 })]); // order 9's row, saved
  });
});
