import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpStatusError, OkkiBusinessError } from '@receipt-sync/core';
import { generateDataset, startOkkiSimulator, type OkkiSimulator } from '@receipt-sync/simulators';
import { caught, clientPool } from './support';

/**
 * The OKKI simulator's timelines (docs/apis/okki.md §4, §6, §8, §12) read through the real client:
 * same-second edits, removals with and without a new stamp, re-links, restores, and receipt/info
 * failing for one receipt.
 */
const dataset = generateDataset({ seed: 44, receipts: 40, orders: 6, noOrderRate: 0, missingOrderRate: 0 });

/** A push callback that acknowledges everything (docs/apis/okki.md §12.5). */
async function ackingCallback(): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const id = (JSON.parse(body) as { message_id: string }).message_id;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: { message_id: id } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/okki/webhook`,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('OKKI simulator timelines, read through OkkiClient', () => {
  let sim: OkkiSimulator;
  let clockMs = Date.parse('2025-06-01T00:00:00Z'); // 08:00:00 China time
  let callback: Awaited<ReturnType<typeof ackingCallback>>;
  const pool = clientPool();
  const client = () => pool.kit(sim).client;
  const events = () => sim.push.log.map((e) => [e.bizType.split('.').pop(), e.receiptId]);
  const receipt = (i: number) => dataset.receipts[i]!;

  beforeAll(async () => {
    sim = await startOkkiSimulator({ receipts: dataset.receipts, now: () => new Date(clockMs) });
    callback = await ackingCallback();
    const c = client();
    await c.registerWebhook(callback.url);
    await c.subscribe(
      'crm.cash_collection',
      ['create', 'update', 'delete'].map((e) => `xiaoman.crm.cash_collection.${e}`),
    );
  });
  afterAll(async () => {
    await pool.closeAll();
    await sim.close();
    await callback.close();
  });
  beforeEach(() => {
    sim.resetFaults();
    sim.push.log.length = 0;
    clockMs += 60_000;
  });

  it('two edits within one update_time second: same stamp, the later content is what OKKI serves', async () => {
    const id = receipt(0).cash_collection_id;
    const first = sim.editReceipt(id, { amount: '100.00', comment: 'first' });
    const second = sim.editReceipt(id, { amount: '200.00', comment: 'second' }, { keepUpdateTime: true });
    expect(second.update_time).toBe(first.update_time);
    const page = await client().listReceipts({ startTime: first.update_time, endTime: first.update_time });
    expect(page.list.map((r) => [r.cash_collection_id, r.update_time, r.amount, r.comment])).toEqual([
      [id, first.update_time, '200.00', 'second'],
    ]);
    expect(events()).toEqual([
      ['update', id],
      ['update', id],
    ]);
  });

  it('a removal stamps update_time now, or keeps the old stamp when told', async () => {
    const c = client();
    const [stamped, kept] = [receipt(1), receipt(2)];
    const old = sim.getReceipt(kept.cash_collection_id)!.update_time;
    expect(sim.removeReceipt(stamped.cash_collection_id)).toBe(true);
    expect(sim.removeReceipt(kept.cash_collection_id, { keepUpdateTime: true })).toBe(true);
    const now = sim.getReceipt(stamped.cash_collection_id)!.update_time;
    const removedNow = await c.listReceipts({ startTime: now, endTime: now, removed: true });
    expect(removedNow.list.map((r) => r.cash_collection_id)).toEqual([stamped.cash_collection_id]);
    const removedOld = await c.listReceipts({ startTime: old, endTime: old, removed: true });
    expect(removedOld.list.map((r) => [r.cash_collection_id, r.update_time])).toEqual([[kept.cash_collection_id, old]]);
    const activeOld = await c.listReceipts({ startTime: old, endTime: old });
    expect(activeOld.list.map((r) => r.cash_collection_id)).not.toContain(kept.cash_collection_id);
    expect((await c.getReceiptInfo(kept.cash_collection_id)).enable_flag).toBe(0);
    expect(events()).toEqual([
      ['delete', stamped.cash_collection_id],
      ['delete', kept.cash_collection_id],
    ]);
  });

  it('a restore brings a deleted receipt back to the active list with a new stamp', async () => {
    const c = client();
    const id = receipt(3).cash_collection_id;
    sim.removeReceipt(id);
    const removedAt = sim.getReceipt(id)!.update_time;
    clockMs += 1000;
    const back = sim.restoreReceipt(id);
    expect(back.update_time).not.toBe(removedAt);
    const active = await c.listReceipts({ startTime: back.update_time, endTime: back.update_time });
    expect(active.list.map((r) => r.cash_collection_id)).toEqual([id]);
    expect((await c.listReceipts({ removed: true, count: 500 })).list.map((r) => r.cash_collection_id)).not.toContain(
      id,
    );
    expect((await c.getReceiptInfo(id)).enable_flag).toBe(1);
    expect(() => sim.restoreReceipt(id)).toThrow(/not deleted/);
    expect(events()).toEqual([
      ['delete', id],
      ['update', id],
    ]);
  });

  it('a re-link moves the receipt to another order (order_info copied from that order) and 0 unlinks it', async () => {
    const c = client();
    const moved = receipt(5);
    const target = dataset.receipts.find((r) => r.order_id !== moved.order_id && r.order_id !== 0)!;
    const relinked = sim.relinkReceipt(moved.cash_collection_id, target.order_id);
    const listed = (await c.listReceipts({ startTime: relinked.update_time, endTime: relinked.update_time })).list;
    expect(listed.find((r) => r.cash_collection_id === moved.cash_collection_id)).toMatchObject({
      order_id: target.order_id,
      order_info: target.order_info,
    });
    clockMs += 1000;
    const unlinked = sim.relinkReceipt(moved.cash_collection_id, 0);
    const info = await c.getReceiptInfo(moved.cash_collection_id);
    expect(info).toMatchObject({ order_id: 0, order_info: null, update_time: unlinked.update_time });
    expect(() => sim.relinkReceipt(moved.cash_collection_id, 987_654)).toThrow(/orderInfo/);
    expect(events()).toEqual([
      ['update', moved.cash_collection_id],
      ['update', moved.cash_collection_id],
    ]);
  });

  it('receipt/info fails for one chosen receipt: N gateway errors, then it answers', async () => {
    const kit = pool.kit(sim, { retry: { attempts: 5, baseDelayMs: 5, maxDelayMs: 10 } });
    const id = receipt(6).cash_collection_id;
    sim.failReceiptInfo(id, { calls: 2, answer: { httpStatus: 502 } });
    await expect(kit.client.getReceiptInfo(receipt(7).cash_collection_id)).resolves.toMatchObject({ enable_flag: 1 });
    await expect(kit.client.getReceiptInfo(id)).resolves.toMatchObject({ cash_collection_id: id });
    const infos = kit.audit.entries.filter((e) => e.operation === 'receipt.info');
    expect(infos.map((e) => [e.subjects?.[0], e.outcome, e.status])).toEqual([
      [String(receipt(7).cash_collection_id), 'ok', 200],
      [String(id), 'http-error', 502],
      [String(id), 'http-error', 502],
      [String(id), 'ok', 200],
    ]);
  });

  it('receipt/info fails for one receipt with OKKI’s error envelope until told otherwise (by id or number)', async () => {
    const kit = pool.kit(sim, { retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 10 } });
    const r = receipt(8);
    sim.failReceiptInfo(r.cash_collection_id, { answer: { code: 500, message: '系统繁忙，请稍后再试' } });
    const error = await caught(kit.client.getReceiptInfo(r.cash_collection_id));
    expect(error).toBeInstanceOf(OkkiBusinessError);
    expect(error).toMatchObject({ okkiCode: 500, okkiMessage: '系统繁忙，请稍后再试', disposition: 'transient' });
    expect(await caught(kit.client.getReceiptInfo({ cashCollectionNo: r.cash_collection_no }))).toBeInstanceOf(
      OkkiBusinessError,
    );
    sim.stopFailingReceiptInfo(r.cash_collection_id);
    await expect(kit.client.getReceiptInfo(r.cash_collection_id)).resolves.toMatchObject({
      cash_collection_no: r.cash_collection_no,
    });
    sim.failReceiptInfo(r.cash_collection_id, { calls: 5, answer: { httpStatus: 503 } });
    expect(await caught(kit.client.getReceiptInfo(r.cash_collection_id))).toBeInstanceOf(HttpStatusError);
  });
});
