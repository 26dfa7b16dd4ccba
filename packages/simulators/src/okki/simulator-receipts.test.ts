import { parseChinaTime } from '@receipt-sync/core';
import { RECEIPT_INFO_EXTRA_KEYS, generateDataset, mutateReceipt, createRng } from '../sample-data';
import { startOkkiSimulator, type OkkiSimulator } from '.';
import { fetchToken, http, list, listData } from './test-helpers';

// Three hours across midnight: date-only bounds must split it, and seconds repeat (tie-break).
const dataset = generateDataset({
  seed: 5,
  receipts: 620,
  orders: 40,
  spanSeconds: 3 * 3600,
  startTime: parseChinaTime('2025-04-15 22:30:00')!,
});

function sortedDesc(rows: Array<Record<string, unknown>>): boolean {
  return rows.every((r, i) => {
    if (i === 0) return true;
    const prev = rows[i - 1]!;
    if (prev.update_time !== r.update_time) return (prev.update_time as string) > (r.update_time as string);
    return (prev.cash_collection_id as number) > (r.cash_collection_id as number);
  });
}

describe('okki simulator: receipt list and info (docs/apis/okki.md §4, §5, §6, §8)', () => {
  let sim: OkkiSimulator;
  let token: string;
  const clock = Date.parse('2025-06-01T00:00:00Z');
  beforeAll(async () => {
    sim = await startOkkiSimulator({ receipts: dataset.receipts, now: () => new Date(clock) });
    token = await fetchToken(sim);
  });
  afterAll(() => sim.close());

  it('serves 20 rows by default, sorted update_time DESC then id DESC, with the total count', async () => {
    const res = await list(sim, token, {});
    expect(res.json()).toMatchObject({ code: 200, message: 'success', now: '2025-06-01 08:00:00' });
    const data = listData(res);
    expect(data.totalItem).toBe(620);
    expect(data.list).toHaveLength(20);
    expect(sortedDesc(data.list)).toBe(true);
    const everything = listData(await list(sim, token, { count: 500 })).list;
    expect(sortedDesc(everything)).toBe(true);
    expect(everything.some((r, i) => i > 0 && everything[i - 1]!.update_time === r.update_time)).toBe(true);
  });

  it('treats start_index as a 1-based page (< 1 → 1) and caps count at 500', async () => {
    const p1 = listData(await list(sim, token, { start_index: 1, count: 7 }));
    const p0 = listData(await list(sim, token, { start_index: 0, count: 7 }));
    const p2 = listData(await list(sim, token, { start_index: 2, count: 7 }));
    expect(p0.list).toEqual(p1.list);
    const all = listData(await list(sim, token, { count: 14 }));
    expect([...p1.list, ...p2.list]).toEqual(all.list);
    const big = listData(await list(sim, token, { count: 10_000 }));
    expect(big.list).toHaveLength(500);
    expect(sortedDesc(big.list)).toBe(true);
  });

  it('answers an empty list with the same totalItem past the last page', async () => {
    const past = listData(await list(sim, token, { start_index: 99, count: 100 }));
    expect(past).toEqual({ list: [], totalItem: 620 });
  });

  it('filters update_time inclusively, second-exact for start == end and whole days for date-only bounds', async () => {
    const some = dataset.receipts[100]!;
    const same = dataset.receipts.filter((r) => r.update_time === some.update_time).map((r) => r.cash_collection_id);
    const exact = listData(await list(sim, token, { start_time: some.update_time, end_time: some.update_time }));
    expect(exact.list.map((r) => r.cash_collection_id).sort()).toEqual(same.sort());
    const byDay = listData(await list(sim, token, { start_time: '2025-04-15', end_time: '2025-04-15', count: 500 }));
    const expected = dataset.receipts.filter((r) => r.update_time.startsWith('2025-04-15')).length;
    expect(expected).toBeGreaterThan(50);
    expect(expected).toBeLessThan(620);
    expect(byDay.totalItem).toBe(expected);
    const bad = await list(sim, token, { start_time: '2025-13-45' });
    expect(bad.json()).toMatchObject({ code: 400, message: 'Invalid query' });
  });

  it('serialises list items exactly like the official sample: money strings, [] objects, no info-only keys', async () => {
    const page = listData(await list(sim, token, { count: 500 }));
    const byId = new Map(dataset.receipts.map((r) => [r.cash_collection_id, r]));
    for (const item of page.list) {
      const source = byId.get(item.cash_collection_id as number)!;
      for (const key of [...RECEIPT_INFO_EXTRA_KEYS, 'removed']) expect(item).not.toHaveProperty(key);
      expect(item.amount).toBe(source.amount);
      expect(typeof item.amount).toBe('string');
      expect(item.order_info).toEqual(source.order_info);
      expect(item.external_field_data_info).toEqual(source.external_field_data_info);
    }
    expect(page.list.some((r) => Array.isArray(r.company_info) && (r.company_info as unknown[]).length === 0)).toBe(
      true,
    );
  });

  it('serves info by id or number with capital account, enable_flag and flattened custom fields; unknown → code 404', async () => {
    const r = dataset.receipts.find((x) => !Array.isArray(x.capital_account_info) && !Array.isArray(x.order_info))!;
    const auth = { authorization: `Bearer ${token}` };
    const byId = await http(sim, `/v1/invoices/receipt/info?cash_collection_id=${r.cash_collection_id}`, {
      headers: auth,
    });
    const data = byId.json().data as Record<string, unknown>;
    expect(data).toMatchObject({
      cash_collection_id: r.cash_collection_id,
      capital_account_info: r.capital_account_info,
      capital_account_id: r.capital_account_id,
      enable_flag: 1,
      order_info: { order_id: r.order_id, name: expect.any(String), order_no: expect.any(String) },
    });
    expect(Object.keys(data.order_info as object).sort()).toEqual(['name', 'order_id', 'order_no']);
    for (const [fieldId, value] of Object.entries(r.external_field_data_info)) expect(data[fieldId]).toEqual(value);
    const byNo = await http(sim, `/v1/invoices/receipt/info?cash_collection_no=${r.cash_collection_no}`, {
      headers: auth,
    });
    expect(byNo.json().data).toEqual(data);
    const missing = await http(sim, '/v1/invoices/receipt/info?cash_collection_id=1', { headers: auth });
    expect(missing.status).toBe(200);
    expect(missing.json()).toEqual({ code: 404, message: 'Not Found Resource', now: '2025-06-01 08:00:00' });
  });
});

describe('okki simulator: data control and deletes (docs/apis/okki.md §8)', () => {
  let sim: OkkiSimulator;
  let token: string;
  let clock = Date.parse('2025-06-01T00:00:00Z');
  const small = generateDataset({ seed: 6, receipts: 30, orders: 5 });
  beforeAll(async () => {
    sim = await startOkkiSimulator({ receipts: small.receipts, now: () => new Date(clock) });
    token = await fetchToken(sim);
  });
  afterAll(() => sim.close());

  it('moves a deleted receipt to removed=1 with update_time = now and keeps its detail readable', async () => {
    const victim = small.receipts[3]!;
    clock += 1000;
    expect(sim.removeReceipt(victim.cash_collection_id)).toBe(true);
    const active = listData(await list(sim, token, { count: 100 }));
    const removed = listData(await list(sim, token, { count: 100, removed: 1 }));
    expect(active.totalItem).toBe(29);
    expect(removed.totalItem).toBe(1);
    expect(removed.list[0]).toMatchObject({
      cash_collection_id: victim.cash_collection_id,
      update_time: '2025-06-01 08:00:01',
    });
    const info = await http(sim, `/v1/invoices/receipt/info?cash_collection_id=${victim.cash_collection_id}`, {
      headers: { authorization: token },
    });
    expect(info.json().data).toMatchObject({ enable_flag: 0 });
  });

  it('stamps update_time = now on upsert unless one is given, and an upsert restores a deleted receipt', async () => {
    clock += 5000;
    const edited = mutateReceipt(small.receipts[3]!, createRng(1));
    expect(sim.upsertReceipt(edited).update_time).toBe('2025-06-01 08:00:06');
    expect(sim.getReceipt(edited.cash_collection_id)).toMatchObject({ removed: false, amount: edited.amount });
    expect(sim.upsertReceipt(edited, { updateTime: '2025-04-15 01:02:03' }).update_time).toBe('2025-04-15 01:02:03');
    const top = listData(await list(sim, token, { count: 1 }));
    expect(top.totalItem).toBe(30);
    expect(sim.allReceipts({ removed: true })).toHaveLength(0);
  });
});
