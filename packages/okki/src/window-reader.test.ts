import { InvalidInputError } from '@receipt-sync/core';
import { WindowUnstableError } from './client-errors';
import type { ReceiptListItem, ReceiptPage } from './receipt-parsing';
import { ReceiptWindowReader, windowBound, type ListPage } from './window-reader';

const NOW = '2025-06-01 08:00:00';
const row = (id: number, update_time: string): ReceiptListItem => ({ cash_collection_id: id, update_time });

/** A fixed server: pages cut from `rows` exactly as given (order included). */
function staticServer(rows: ReceiptListItem[]): ListPage & { calls: number } {
  const list: ListPage = async ({ page, count }) => {
    server.calls += 1;
    return {
      list: rows.slice((page - 1) * count, page * count),
      invalid: [],
      totalItem: rows.length,
      now: NOW,
    } satisfies ReceiptPage;
  };
  const server = Object.assign(list, { calls: 0 });
  return server;
}

async function collect(reader: ReceiptWindowReader): Promise<number[]> {
  const ids: number[] = [];
  for await (const item of reader) if (item.kind === 'receipt') ids.push(item.receipt.cash_collection_id);
  return ids;
}

describe('ReceiptWindowReader (unit)', () => {
  it('reads an empty window with one request', async () => {
    const server = staticServer([]);
    const reader = new ReceiptWindowReader(server, {
      startTime: '2025-04-15 00:00:00',
      endTime: '2025-04-15 23:59:59',
      pageSize: 10,
    });
    expect(await collect(reader)).toEqual([]);
    expect(server.calls).toBe(1);
    expect(reader.summary).toMatchObject({ pages: 1, complete: true, totalItem: 0 });
  });

  it('stops on an exact multiple of the page size without an extra request', async () => {
    const rows = Array.from({ length: 20 }, (_, i) =>
      row(100 - i, `2025-04-15 10:00:${String(59 - i).padStart(2, '0')}`),
    );
    const server = staticServer(rows);
    const ids = await collect(
      new ReceiptWindowReader(server, { startTime: '2025-04-15', endTime: '2025-04-15', pageSize: 10 }),
    );
    expect(ids).toHaveLength(20);
    expect(server.calls).toBe(2);
  });

  it('ignores rows the server returns outside the window', async () => {
    const server = staticServer([
      row(3, '2025-04-16 00:00:01'),
      row(2, '2025-04-15 12:00:00'),
      row(1, '2025-04-15 11:00:00'),
    ]);
    const reader = new ReceiptWindowReader(server, {
      startTime: '2025-04-15 00:00:00',
      endTime: '2025-04-15 23:59:59',
    });
    expect(await collect(reader)).toEqual([2, 1]);
    expect(reader.summary.outOfWindow).toBe(1);
  });

  it('refuses a list that is never sorted by update_time DESC', async () => {
    const server = staticServer([row(1, '2025-04-15 01:00:00'), row(2, '2025-04-15 02:00:00')]);
    const reader = new ReceiptWindowReader(server, {
      startTime: '2025-04-15 00:00:00',
      endTime: '2025-04-15 23:59:59',
      maxRestarts: 2,
    });
    await expect(collect(reader)).rejects.toBeInstanceOf(WindowUnstableError);
    expect(server.calls).toBe(3);
  });

  it('normalises bounds: a date-only end is the whole day; junk is refused', () => {
    expect(windowBound('2025-04-15', 'start')).toBe('2025-04-15 00:00:00');
    expect(windowBound('2025-04-15', 'end')).toBe('2025-04-15 23:59:59');
    expect(windowBound(new Date('2025-04-15T00:00:00Z'), 'end')).toBe('2025-04-15 08:00:00');
    expect(() => windowBound('yesterday', 'start')).toThrow(InvalidInputError);
  });
});
