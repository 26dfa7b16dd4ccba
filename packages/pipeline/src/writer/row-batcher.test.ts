import type { ReadyRow } from '../queues';
import { BUSY_ORDER_WAIT_MS, LONG_LINGER, RowBatcher, type PendingRow, type TopUp } from './row-batcher';

function row(receiptId: number, fid: number): ReadyRow {
  return {
    windowId: 'w',
    receiptId: String(receiptId),
    receiptNo: `HK${receiptId}`,
    orderId: String(fid),
    fid,
    sourceVersion: '2025-04-15 00:00:00',
    removed: false,
    rowKey: `HK${receiptId}`,
    fields: {},
    contentHash: 'h',
  };
}

/** A writer whose batches the test releases by hand, recording what each batch held. */
function manualWriter() {
  const batches: PendingRow[][] = [];
  const release: Array<() => void> = [];
  const write = (rows: PendingRow[]) =>
    new Promise<void>((resolve) => {
      batches.push(rows);
      release.push(() => {
        for (const p of rows) p.resolve({ outcome: 'written', fid: p.row.fid!, entryId: 1 });
        resolve();
      });
    });
  return { batches, release, write };
}

describe('RowBatcher', () => {
  it('fills a batch up to batchSize without waiting for the linger timer', async () => {
    const w = manualWriter();
    const batcher = new RowBatcher({ batchSize: 3, lingerMs: 60_000, maxInFlight: 1, write: w.write });
    const done = [1, 2, 3].map((i) => batcher.submit(row(i, 100 + i)));
    expect(w.batches).toHaveLength(1);
    expect(w.batches[0]!.map((p) => p.row.receiptId)).toEqual(['1', '2', '3']);
    w.release[0]!();
    await expect(Promise.all(done)).resolves.toHaveLength(3);
  });

  it('never lets two batches touch one sales order at the same time', async () => {
    const w = manualWriter();
    const batcher = new RowBatcher({ batchSize: 2, lingerMs: 1, maxInFlight: 4, write: w.write });
    const first = [batcher.submit(row(1, 7)), batcher.submit(row(2, 8))];
    const second = [batcher.submit(row(3, 7)), batcher.submit(row(4, 9))];
    await new Promise((r) => setTimeout(r, 10));
    // Order 7 is in the first batch, so the second batch may take row 4 (order 9) but not row 3.
    const fidsInFlight = w.batches.map((b) => b.map((p) => p.row.fid));
    expect(fidsInFlight[0]).toEqual([7, 8]);
    expect(fidsInFlight.slice(1).flat()).not.toContain(7);
    for (const r of [...w.release]) r();
    await Promise.all(first);
    await new Promise((r) => setTimeout(r, 10));
    for (const r of w.release.slice(2)) r();
    await Promise.all(second);
    expect(
      w.batches
        .flat()
        .map((p) => p.row.receiptId)
        .sort(),
    ).toEqual(['1', '2', '3', '4']);
  });

  it('saves a row isolated after a rejected model alone, apart from the rest of its order', async () => {
    const w = manualWriter();
    const batcher = new RowBatcher({ batchSize: 10, lingerMs: 1, maxInFlight: 1, write: w.write });
    const solo = new Promise((resolve, reject) => batcher.requeue({ row: row(1, 5), solo: true, resolve, reject }));
    const grouped = batcher.submit(row(2, 5));
    await new Promise((r) => setTimeout(r, 10));
    expect(w.batches[0]!.map((p) => p.row.receiptId)).toEqual(['1']);
    w.release[0]!();
    await solo;
    await new Promise((r) => setTimeout(r, 10));
    expect(w.batches[1]!.map((p) => p.row.receiptId)).toEqual(['2']);
    w.release[1]!();
    await grouped;
  });

  it('rejects waiting rows on close so their jobs are retried elsewhere', async () => {
    const w = manualWriter();
    const batcher = new RowBatcher({ batchSize: 10, lingerMs: 60_000, maxInFlight: 1, write: w.write });
    const pending = batcher.submit(row(1, 1));
    batcher.close();
    await expect(pending).rejects.toThrow(/shutting down/);
    expect(w.batches).toHaveLength(0);
  });

  describe('linger adapting to the ready backlog', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    const partialBatchAfter = (backlog: number | undefined) => {
      const w = manualWriter();
      const batcher = new RowBatcher({
        batchSize: 10,
        lingerMs: 100,
        maxInFlight: 1,
        backlog: () => backlog,
        write: w.write,
      });
      void batcher.submit(row(1, 1));
      void batcher.submit(row(2, 2));
      return { sent: () => w.batches.length };
    };

    it('sends a partial batch at once when nothing more waits in the ready queue', () => {
      const b = partialBatchAfter(0);
      expect(b.sent()).toBe(0); // rows submitted in the same tick still travel together
      jest.advanceTimersByTime(0);
      expect(b.sent()).toBe(1);
    });

    it('waits the base linger while less than a batch is coming, and when the backlog is unknown', () => {
      for (const backlog of [3, undefined]) {
        const b = partialBatchAfter(backlog);
        jest.advanceTimersByTime(99);
        expect(b.sent()).toBe(0);
        jest.advanceTimersByTime(1);
        expect(b.sent()).toBe(1);
      }
    });

    it('sends full batches at once but keeps the remainder for the linger, though slots are free', () => {
      const w = manualWriter();
      const batcher = new RowBatcher({ batchSize: 2, lingerMs: 100, maxInFlight: 4, backlog: () => 3, write: w.write });
      for (const i of [1, 2, 3]) void batcher.submit(row(i, i));
      expect(w.batches.map((b) => b.length)).toEqual([2]);
      jest.advanceTimersByTime(LONG_LINGER * 100);
      expect(w.batches.map((b) => b.length)).toEqual([2, 1]);
    });

    it('lets full batches, never partial ones, go beyond the K3Cloud slots', () => {
      const w = manualWriter();
      const batcher = new RowBatcher({
        batchSize: 2,
        lingerMs: 100,
        maxInFlight: 1,
        extraFullBatches: 1,
        backlog: () => 0,
        write: w.write,
      });
      for (const i of [1, 2, 3, 4, 5]) void batcher.submit(row(i, i));
      jest.advanceTimersByTime(0);
      expect(w.batches.map((b) => b.length)).toEqual([2, 2]);
    });

    it('spends at most half the slots on partial batches while rows are still coming', async () => {
      const w = manualWriter();
      const batcher = new RowBatcher({
        batchSize: 10,
        lingerMs: 100,
        maxInFlight: 4,
        backlog: () => 5,
        write: w.write,
      });
      for (const i of [1, 2, 3]) {
        void batcher.submit(row(i, i));
        jest.advanceTimersByTime(100);
      }
      expect(w.batches.map((b) => b.length)).toEqual([1, 1]);
      w.release[0]!();
      await jest.advanceTimersByTimeAsync(100);
      expect(w.batches.map((b) => b.length)).toEqual([1, 1, 1]);
    });

    describe('with nothing more in the ready queue', () => {
      const idleBatcher = () => {
        const w = manualWriter();
        const batcher = new RowBatcher({
          batchSize: 10,
          lingerMs: 100,
          maxInFlight: 4,
          backlog: () => 0,
          write: w.write,
        });
        // Rows still waiting when a test ends are rejected by close(): nobody awaits them.
        const submit = (r: ReadyRow) => void batcher.submit(r).catch(() => undefined);
        return { w, batcher, submit };
      };
      const receipts = (batches: PendingRow[][]) => batches.map((b) => b.map((p) => p.row.receiptId).sort());

      it("holds a small batch for rows behind its own batch's order, and sends them together when it ends", async () => {
        const { w, batcher, submit } = idleBatcher();
        submit(row(1, 7));
        jest.advanceTimersByTime(0);
        submit(row(2, 7)); // order 7 is being written: waits for that batch
        submit(row(3, 8)); // could go now, alone, leaving receipt 2 for a third save
        jest.advanceTimersByTime(1_000);
        expect(receipts(w.batches)).toEqual([['1']]);
        w.release[0]!();
        await jest.advanceTimersByTimeAsync(0);
        expect(receipts(w.batches)).toEqual([['1'], ['2', '3']]);
        batcher.close();
      });

      it('holds a small batch for rows put back while another replica held their order', async () => {
        const { w, batcher, submit } = idleBatcher();
        let settled!: PendingRow;
        void new Promise((resolve, reject) => (settled = { row: row(1, 7), solo: false, resolve, reject })).catch(
          () => undefined,
        );
        batcher.requeue(settled, 250);
        submit(row(2, 8));
        jest.advanceTimersByTime(249);
        expect(w.batches).toHaveLength(0);
        await jest.advanceTimersByTimeAsync(2); // back in line at 250 ms: both go at once
        expect(receipts(w.batches)).toEqual([['1', '2']]);
        batcher.close();
      });

      it('waits at most BUSY_ORDER_WAIT_MS, and not at all with half a batch or more', async () => {
        const { w, batcher, submit } = idleBatcher();
        submit(row(1, 7));
        jest.advanceTimersByTime(0);
        submit(row(2, 7));
        submit(row(3, 8));
        jest.advanceTimersByTime(BUSY_ORDER_WAIT_MS - 1);
        expect(w.batches).toHaveLength(1);
        jest.advanceTimersByTime(1);
        expect(receipts(w.batches)).toEqual([['1'], ['3']]);
        for (const i of [4, 5, 6, 7, 8]) submit(row(i, 10 + i)); // five of ten: goes at once
        submit(row(9, 8)); // order 8 is busy now
        jest.advanceTimersByTime(0);
        expect(receipts(w.batches)[2]).toEqual(['4', '5', '6', '7', '8']);
        batcher.close();
      });
    });

    it('waits longer for company while more than a batch is coming', () => {
      const b = partialBatchAfter(25);
      jest.advanceTimersByTime(LONG_LINGER * 100 - 1);
      expect(b.sent()).toBe(0);
      jest.advanceTimersByTime(1);
      expect(b.sent()).toBe(1);
    });
  });

  it('forms a batch when a shared batch slot is granted, from every row waiting by then', async () => {
    const w = manualWriter();
    let grant: (release: () => Promise<void>) => void = () => undefined;
    let released = 0;
    const batcher = new RowBatcher({
      batchSize: 5,
      lingerMs: 1,
      maxInFlight: 1,
      admit: () => new Promise((resolve) => (grant = resolve)),
      write: w.write,
    });
    const done = [batcher.submit(row(1, 10))];
    await new Promise((r) => setTimeout(r, 10)); // the linger is over: a partial batch asks for a slot
    expect(w.batches).toHaveLength(0);
    done.push(...[2, 3, 4].map((i) => batcher.submit(row(i, 10 + i))));
    grant(async () => void (released += 1));
    await new Promise((r) => setImmediate(r));
    expect(w.batches).toHaveLength(1);
    expect(w.batches[0]!.map((p) => p.row.receiptId)).toEqual(['1', '2', '3', '4']);
    w.release[0]!();
    await Promise.all(done);
    await new Promise((r) => setImmediate(r));
    expect(released).toBe(1);
  });

  it("tops a batch up with other orders' rows, never a busy, skipped or solo one", async () => {
    let more: TopUp = () => [];
    const batches: PendingRow[][] = [];
    const finish: Array<() => void> = [];
    const batcher = new RowBatcher({
      batchSize: 2,
      lingerMs: 60_000,
      maxInFlight: 1,
      write: (rows, topUp) =>
        new Promise<void>((resolve) => {
          batches.push(rows);
          more = topUp;
          finish.push(() => {
            for (const p of rows) p.resolve({ outcome: 'written', fid: p.row.fid!, entryId: 1 });
            resolve();
          });
        }),
    });
    const first = [batcher.submit(row(1, 1)), batcher.submit(row(2, 2))];
    const waiting = [
      batcher.submit(row(3, 1)), // order 1 is in the batch: busy
      batcher.submit(row(4, 3)), // skipped below (another replica holds it)
      batcher.submit(row(5, 4), true), // solo
      batcher.submit(row(6, 5)),
    ];
    expect(batches).toHaveLength(1);
    const added = more(5, new Set(['3']));
    expect(added.map((p) => p.row.receiptId)).toEqual(['6']);
    for (const p of added) p.resolve({ outcome: 'written', fid: p.row.fid!, entryId: 1 });
    finish[0]!();
    await Promise.all([...first, waiting[3]]);
    // Order 1 is free again: its waiting row goes in the next batch.
    await new Promise((r) => setImmediate(r));
    expect(batches[1]!.map((p) => p.row.receiptId)).toContain('3');
    for (const f of finish.slice(1)) f();
    batcher.close();
    await Promise.allSettled(waiting);
  });
});
