import type { ReadyRow } from '../queues';
import { RowBatcher, type PendingRow } from './row-batcher';

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
    batcher.close(new Error('writer is shutting down'));
    await expect(pending).rejects.toThrow(/shutting down/);
    await expect(batcher.submit(row(2, 2))).rejects.toThrow(/shutting down/);
    expect(w.batches).toHaveLength(0);
  });

  describe('batch size follows the load', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it('sends a partial batch once the linger is over, not before', () => {
      const w = manualWriter();
      const batcher = new RowBatcher({ batchSize: 10, lingerMs: 100, maxInFlight: 2, write: w.write });
      void batcher.submit(row(1, 1));
      void batcher.submit(row(2, 2));
      jest.advanceTimersByTime(99);
      expect(w.batches).toHaveLength(0);
      jest.advanceTimersByTime(1);
      expect(w.batches.map((b) => b.length)).toEqual([2]);
    });

    it('sends rows that lingered while every slot was busy as soon as a slot frees, without a second linger', async () => {
      const w = manualWriter();
      const batcher = new RowBatcher({ batchSize: 10, lingerMs: 100, maxInFlight: 1, write: w.write });
      void batcher.submit(row(1, 1));
      jest.advanceTimersByTime(100);
      void batcher.submit(row(2, 2)); // the last row of a run: it arrives while the only slot is busy
      jest.advanceTimersByTime(500);
      expect(w.batches.map((b) => b.length)).toEqual([1]);
      w.release[0]!();
      await Promise.resolve();
      await Promise.resolve();
      expect(w.batches.map((b) => b.length)).toEqual([1, 1]);
    });

    it('lets a row that arrives as a slot frees linger for the rest of its time only', async () => {
      const w = manualWriter();
      const batcher = new RowBatcher({ batchSize: 10, lingerMs: 100, maxInFlight: 1, write: w.write });
      void batcher.submit(row(1, 1));
      jest.advanceTimersByTime(100);
      jest.advanceTimersByTime(40);
      void batcher.submit(row(2, 2));
      jest.advanceTimersByTime(30);
      w.release[0]!();
      await Promise.resolve();
      await Promise.resolve();
      jest.advanceTimersByTime(69);
      expect(w.batches).toHaveLength(1);
      jest.advanceTimersByTime(1);
      expect(w.batches.map((b) => b.length)).toEqual([1, 1]);
    });

    it('gathers rows into a full batch while every slot is busy', async () => {
      const w = manualWriter();
      const batcher = new RowBatcher({ batchSize: 4, lingerMs: 10, maxInFlight: 1, write: w.write });
      void batcher.submit(row(1, 1));
      jest.advanceTimersByTime(10);
      expect(w.batches.map((b) => b.length)).toEqual([1]);
      for (let i = 2; i <= 6; i += 1) void batcher.submit(row(i, i));
      jest.advanceTimersByTime(1_000); // the slot is still taken: nothing more goes
      expect(w.batches).toHaveLength(1);
      w.release[0]!();
      await Promise.resolve();
      await Promise.resolve();
      // The freed slot takes a full batch at once; the one row left waits for the linger.
      expect(w.batches.map((b) => b.length)).toEqual([1, 4]);
    });
  });

  it('does not fail rows a failing batch already put back in line (they are settled by their next batch)', async () => {
    let calls = 0;
    const batcher: RowBatcher = new RowBatcher({
      batchSize: 10,
      lingerMs: 1,
      maxInFlight: 1,
      write: async (rows) => {
        calls += 1;
        if (calls === 1) {
          batcher.requeue({ ...rows[0]!, solo: true });
          throw new Error('the rest of the batch failed');
        }
        for (const p of rows) p.resolve({ outcome: 'written', fid: p.row.fid!, entryId: 1 });
      },
    });
    const isolated = batcher.submit(row(1, 1));
    const other = batcher.submit(row(2, 2));
    await expect(other).rejects.toThrow('the rest of the batch failed');
    await expect(isolated).resolves.toEqual({ outcome: 'written', fid: 1, entryId: 1 });
  });
});
