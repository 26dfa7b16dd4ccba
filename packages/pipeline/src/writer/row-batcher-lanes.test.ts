import type { Lane } from '@receipt-sync/core';
import type { ReadyRow } from '../queues';
import { RowBatcher, type PendingRow } from './row-batcher';

function row(receiptId: number, orderId: number): ReadyRow {
  return {
    windowId: 'w',
    receiptId: String(receiptId),
    receiptNo: `HK${receiptId}`,
    orderId: String(orderId),
    fid: orderId,
    sourceVersion: '2025-04-15 00:00:00',
    removed: false,
    rowKey: `HK${receiptId}`,
    fields: {},
    contentHash: 'h',
  };
}

/** One batch in flight at a time, two rows each; the first batch holds the writer until released. */
async function batchesFormed(waiting: Array<[receiptId: number, orderId: number, lane: Lane]>): Promise<string[][]> {
  const batches: PendingRow[][] = [];
  let releaseFirst: () => void = () => undefined;
  const firstDone = new Promise<void>((r) => (releaseFirst = r));
  const write = async (rows: PendingRow[]) => {
    batches.push(rows);
    if (batches.length === 1) await firstDone;
    for (const p of rows) p.resolve({ outcome: 'written', fid: p.row.fid!, entryId: 1 });
  };
  const batcher = new RowBatcher({ batchSize: 2, lingerMs: 0, maxInFlight: 1, write });
  const done = [batcher.submit(row(1, 100), false, undefined, 'bulk')];
  for (const [id, order, lane] of waiting) done.push(batcher.submit(row(id, order), false, undefined, lane));
  releaseFirst();
  await Promise.all(done);
  return batches.map((b) => b.map((p) => p.row.receiptId));
}

describe('RowBatcher lanes', () => {
  it('forms the next batch from orders with a live row, with that order’s bulk rows before it', async () => {
    const batches = await batchesFormed([
      [2, 200, 'bulk'],
      [3, 300, 'bulk'],
      [4, 400, 'bulk'],
      [5, 400, 'live'],
      [6, 600, 'bulk'],
    ]);
    expect(batches).toEqual([['1'], ['4', '5'], ['2', '3'], ['6']]);
  });

  it('keeps line order when every waiting row is in one lane', async () => {
    const batches = await batchesFormed([
      [2, 200, 'bulk'],
      [3, 300, 'bulk'],
      [4, 400, 'bulk'],
      [5, 400, 'bulk'],
      [6, 600, 'bulk'],
    ]);
    expect(batches).toEqual([['1'], ['2', '3'], ['4', '5'], ['6']]);
  });
});
