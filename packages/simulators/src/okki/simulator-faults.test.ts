import { generateDataset } from '../sample-data';
import { startOkkiSimulator, type OkkiSimulator } from '.';
import { fetchToken, list, listData } from './test-helpers';

const { receipts } = generateDataset({ seed: 11, receipts: 120, orders: 10 });

describe('okki simulator: fault injection', () => {
  let sim: OkkiSimulator;
  let token: string;
  beforeAll(async () => {
    sim = await startOkkiSimulator({ receipts, seed: 3, now: () => new Date('2025-06-01T00:00:00Z') });
    token = await fetchToken(sim);
  });
  afterAll(() => sim.close());
  beforeEach(() => {
    sim.resetFaults();
    sim.resetStats();
  });

  it('delays every answer by latencyMs', async () => {
    sim.faults.latencyMs = 120;
    const started = performance.now();
    await list(sim, token, {});
    expect(performance.now() - started).toBeGreaterThanOrEqual(115);
  });

  it('answers HTTP 429 with Retry-After (seconds or HTTP-date) once the per-second budget is spent', async () => {
    sim.faults.rateLimit = { maxPerSecond: 3, retryAfterSeconds: 2 };
    const answers = await Promise.all(Array.from({ length: 6 }, () => list(sim, token, {})));
    const limited = answers.filter((a) => a.status === 429);
    expect(limited).toHaveLength(3);
    expect(limited[0]!.headers['retry-after']).toBe('2');
    expect(limited[0]!.json()).toEqual({ code: 429, message: 'Too Many Requests', now: expect.any(String) });
    expect(sim.stats.rateLimited).toBe(3);
    expect(sim.stats.maxObservedRps).toBeGreaterThanOrEqual(6);
    sim.faults.rateLimit = { maxPerSecond: 0, retryAfterSeconds: 3, retryAfterFormat: 'http-date' };
    const dated = await list(sim, token, {});
    const at = Date.parse(dated.headers['retry-after'] as string);
    expect(at - Date.now()).toBeGreaterThan(1000);
    expect(at - Date.now()).toBeLessThanOrEqual(3000);
  });

  it('serves random 5xx, some of them as HTML gateway pages', async () => {
    sim.faults.errorRate = 1;
    const answers = await Promise.all(Array.from({ length: 20 }, () => list(sim, token, {})));
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([500, 502, 503]));
    expect(
      answers.some((a) => String(a.headers['content-type']).startsWith('text/html') && a.text.includes('<html>')),
    ).toBe(true);
    expect(sim.stats.serverErrors).toBe(20);
    // The token endpoint is spared unless asked for.
    expect(await fetchToken(sim)).toBe(token);
  });

  it('serves HTTP 200 business errors with code 500', async () => {
    sim.faults.businessErrorRate = 1;
    const res = await list(sim, token, {});
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ code: 500, message: expect.any(String) });
    expect(res.json()).not.toHaveProperty('data');
  });

  it('serves truncated JSON and HTML with HTTP 200 at malformedRate', async () => {
    sim.faults.malformedRate = 1;
    const answers = await Promise.all(Array.from({ length: 12 }, () => list(sim, token, {})));
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(() => JSON.parse(a.text)).toThrow();
    }
    expect(answers.some((a) => String(a.headers['content-type']).includes('application/json'))).toBe(true);
    expect(answers.some((a) => String(a.headers['content-type']).includes('text/html'))).toBe(true);
  });

  it('lists chosen receipts with an unusable cash_collection_id', async () => {
    const target = listData(await list(sim, token, { count: 5 })).list[2]!;
    sim.faults.corruptReceiptIds = [target.cash_collection_id as number];
    const page = listData(await list(sim, token, { count: 5 })).list;
    expect(page[2]).toMatchObject({ cash_collection_id: null, cash_collection_no: target.cash_collection_no });
  });

  it('replays random decisions identically for the same seed', async () => {
    const runs: number[][] = [];
    for (let i = 0; i < 2; i++) {
      const other = await startOkkiSimulator({ receipts, seed: 99, faults: { errorRate: 0.5 } });
      const t = await fetchToken(other);
      const statuses: number[] = [];
      for (let n = 0; n < 15; n++) statuses.push((await list(other, t, {})).status);
      runs.push(statuses);
      await other.close();
    }
    expect(runs[0]).toEqual(runs[1]);
    expect(new Set(runs[0])).toContain(200);
    expect(runs[0]!.some((s) => s >= 500)).toBe(true);
  });
});

describe('okki simulator: page drift (docs/apis/okki.md §4)', () => {
  it('edits receipts of the paged window right after page N, so later pages shift', async () => {
    let clock = Date.parse('2025-06-01T00:00:00Z');
    const sim = await startOkkiSimulator({ receipts, seed: 4, now: () => new Date(clock) });
    try {
      const token = await fetchToken(sim);
      const window = { start_time: '2025-04-15 00:00:00', end_time: '2025-04-16 00:00:00', count: 20 };
      const before = listData(await list(sim, token, { ...window, start_index: 2 })).list;
      sim.faults.pageDrift = { afterPage: 1, updateCount: 4, times: 1 };
      const page1 = listData(await list(sim, token, { ...window, start_index: 1 }));
      expect(page1.totalItem).toBe(120);
      clock += 1000;
      const page2 = listData(await list(sim, token, { ...window, start_index: 2 }));
      // The edited receipts now carry update_time = now, outside the window: the total drops and page 2 moved.
      expect(page2.totalItem).toBe(116);
      expect(page2.list.map((r) => r.cash_collection_id)).not.toEqual(before.map((r) => r.cash_collection_id));
      expect(sim.allReceipts().filter((r) => r.update_time === '2025-06-01 08:00:00')).toHaveLength(4);
      expect(sim.stats.driftEvents).toBe(1);
      // times: 1 → page 1 no longer drifts.
      await list(sim, token, { ...window, start_index: 1 });
      expect(listData(await list(sim, token, { ...window, start_index: 2 })).totalItem).toBe(116);
    } finally {
      await sim.close();
    }
  });
});
