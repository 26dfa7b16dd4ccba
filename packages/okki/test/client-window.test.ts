import { parseChinaTime } from '@receipt-sync/core';
import { generateDataset, type OkkiReceiptRecord } from '@receipt-sync/simulators';
import { startOkkiSimulator, type OkkiSimulator } from '@receipt-sync/simulators';
import { WindowUnstableError, type WindowItem, type OkkiClient } from '../src';
import { caught, clientPool } from './support';

const START = '2025-04-15 00:00:00';
const END = '2025-04-15 23:59:59';
const SERVER_NOW = Date.parse('2025-06-01T00:00:00Z'); // well after the window: edits leave it

function dataset(seed: number): OkkiReceiptRecord[] {
  return generateDataset({ seed, receipts: 300, orders: 30, spanSeconds: 6 * 3600 }).receipts;
}

async function drain(client: OkkiClient, options: Parameters<OkkiClient['iterateWindow']>[0]) {
  const reader = client.iterateWindow(options);
  const items: WindowItem[] = [];
  for await (const item of reader) items.push(item);
  return {
    items,
    summary: reader.summary,
    ids: items.flatMap((i) => (i.kind === 'receipt' ? [i.receipt.cash_collection_id] : [])),
  };
}

function inWindow(sim: OkkiSimulator, start: string, end: string, removed = false): number[] {
  return sim
    .allReceipts({ removed })
    .filter((r) => r.update_time >= start && r.update_time <= end)
    .map((r) => r.cash_collection_id);
}

describe('OkkiClient.iterateWindow', () => {
  const sims: OkkiSimulator[] = [];
  const pool = clientPool();
  async function setup(receipts: OkkiReceiptRecord[], seed = 1) {
    const sim = await startOkkiSimulator({ receipts, seed, now: () => new Date(SERVER_NOW) });
    sims.push(sim);
    return { sim, client: pool.kit(sim).client };
  }
  afterAll(async () => {
    await pool.closeAll();
    await Promise.all(sims.map((s) => s.close()));
  });

  it('yields every receipt of a quiet window once, active and removed separately', async () => {
    const receipts = dataset(1).map((r, i) => (i % 25 === 0 ? { ...r, removed: true } : r));
    const { sim, client } = await setup(receipts);
    const active = await drain(client, { startTime: START, endTime: END, pageSize: 20 });
    expect(active.ids.sort()).toEqual(inWindow(sim, START, END).sort());
    expect(active.ids).toHaveLength(288);
    expect(active.summary).toMatchObject({
      pages: 15,
      reads: 288,
      restarts: 0,
      totalItem: 288,
      yielded: 288,
      complete: true,
      openWindow: false,
    });
    const removed = await drain(client, {
      startTime: parseChinaTime(START)!,
      endTime: '2025-04-15',
      removed: true,
      pageSize: 20,
    });
    expect(removed.ids.sort()).toEqual(inWindow(sim, START, END, true).sort());
    expect(removed.items.every((i) => i.removed)).toBe(true);
  });

  it('a naive pager loses receipts under page drift (the fault is real)', async () => {
    const { sim, client } = await setup(dataset(2), 5);
    const before = new Set(inWindow(sim, START, END));
    sim.faults.pageDrift = { afterPage: 2, updateCount: 6 };
    const seen = new Set<number>();
    for (let page = 1; ; page++) {
      const p = await client.listReceipts({ startTime: START, endTime: END, page, count: 20 });
      p.list.forEach((r) => seen.add(r.cash_collection_id));
      if (p.list.length < 20) break;
    }
    const stayed = inWindow(sim, START, END);
    expect(stayed.length).toBeLessThan(before.size);
    expect(stayed.filter((id) => !seen.has(id)).length).toBeGreaterThan(0);
  });

  it('closed window under drift: every receipt that stayed in the window is yielded exactly once', async () => {
    const { sim, client } = await setup(dataset(2), 5);
    const before = new Set(inWindow(sim, START, END));
    sim.faults.pageDrift = { afterPage: 2, updateCount: 6 };
    const { ids, summary } = await drain(client, { startTime: START, endTime: END, pageSize: 20 });
    const stayed = inWindow(sim, START, END);
    expect(sim.stats.driftEvents).toBeGreaterThan(1);
    expect(summary.restarts).toBeGreaterThan(0);
    expect(summary.complete).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(stayed.filter((id) => !ids.includes(id))).toEqual([]);
    expect(ids.every((id) => before.has(id))).toBe(true);
    expect(stayed.length).toBeLessThan(before.size);
  });

  it('open window under drift: moved receipts stay in the window and are still yielded exactly once', async () => {
    const { sim, client } = await setup(dataset(3), 6);
    const end = '2030-01-01 00:00:00';
    sim.faults.pageDrift = { afterPage: 1, updateCount: 5, times: 2 };
    const { ids, summary } = await drain(client, { startTime: START, endTime: end, pageSize: 20 });
    expect(sim.stats.driftEvents).toBe(2);
    expect(summary).toMatchObject({ openWindow: true, complete: true });
    expect(summary.restarts).toBeGreaterThan(0);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(inWindow(sim, START, end).sort());
    expect(ids).toHaveLength(300);
  });

  it('gives up with WindowUnstableError when the list never stops moving', async () => {
    const { sim, client } = await setup(dataset(4), 7);
    sim.faults.pageDrift = { afterPage: 1, updateCount: 3 };
    const reader = client.iterateWindow({
      startTime: START,
      endTime: '2030-01-01 00:00:00',
      pageSize: 20,
      maxRestarts: 3,
    });
    const error = await caught(
      (async () => {
        for await (const _ of reader) void _;
      })(),
    );
    expect(error).toBeInstanceOf(WindowUnstableError);
    expect((error as WindowUnstableError).disposition).toBe('transient');
    expect(reader.summary.restarts).toBe(4);
    expect(reader.summary.complete).toBe(false);
  });

  it('surfaces records without a usable id as invalid items, once each, next to every valid receipt', async () => {
    const receipts = dataset(5);
    const { sim, client } = await setup(receipts);
    const broken = [receipts[10]!.cash_collection_id, receipts[200]!.cash_collection_id];
    sim.faults.corruptReceiptIds = broken;
    const { items, ids, summary } = await drain(client, { startTime: START, endTime: END, pageSize: 20 });
    const invalid = items.filter((i) => i.kind === 'invalid');
    expect(invalid).toHaveLength(2);
    for (const item of invalid) {
      if (item.kind !== 'invalid') continue;
      expect(item.issues[0]).toMatch(/^cash_collection_id: .*\(receipt HK/);
      expect(item.raw).toMatchObject({ cash_collection_id: null });
    }
    expect(ids.length + invalid.length).toBe(300);
    expect(ids).not.toContain(broken[0]);
    expect(summary).toMatchObject({ yielded: 298, invalid: 2, restarts: 0 });
  });
});
