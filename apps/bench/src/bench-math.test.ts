import { theoreticalBound } from './bound';
import { parseOnceCases, parseOptions } from './options';
import { capsBound, queryCeilings } from './section-once';
import { compareRows } from './row-check';
import { judgeRss } from './rss-sampler';

const env = {} as NodeJS.ProcessEnv;

describe('theoretical bound', () => {
  const profile = parseOptions([], env).realistic;

  it('is set by OKKI when every receipt costs a receipt/info call', () => {
    const b = theoreticalBound({ profile, enrichBank: true, pageSize: 100, batchSize: 50 });
    expect(b.okkiCallsPerReceipt).toBeCloseTo(1.01, 5);
    expect(b.receiptsPerSecond).toBeCloseTo(100 / 1.01, 5);
    expect(b.limitedBy).toBe('OKKI');
    expect(b.formula.join('\n')).toContain('1/100 (list) + 1 (receipt/info) = 1.010');
  });

  it('is set by K3Cloud slots without enrichment: C·B / (3L + r·B), the order lookups inside the 2 queries', () => {
    const bare = theoreticalBound({ profile, enrichBank: false, pageSize: 100, batchSize: 50 });
    expect(bare.receiptsPerSecond).toBeCloseTo((4 * 50 * 1000) / (3 * 200 + 2 * 50), 5);
    expect(bare.limitedBy).toBe('K3Cloud');
    expect(bare.k3SlotMsPerReceipt).toBeCloseTo(700 / 50, 5);
  });
});

describe('RSS trend', () => {
  const series = (mbs: number[]) => ({ name: 'writer', samples: mbs.map((mb, i) => [i, mb] as [number, number]) });

  it('calls a plateau after start-up flat and reports its peak', () => {
    const v = judgeRss(series([20, 90, 120, 130, 131, 129, 132, 130, 131, 133, 130, 132]));
    expect(v.trend).toBe('flat');
    expect(v.peakMb).toBe(133);
  });

  it('judges a name carried by one process per segment by the peak of each process', () => {
    const v = judgeRss({ ...series([0, 150, 152, 0, 149, 151]), instancePeaks: [152, 151] });
    expect(v.trend).toBe('flat');
    expect(judgeRss({ ...series([0, 150, 0, 200]), instancePeaks: [150, 200] }).trend).toBe('growing');
  });

  it('calls steady growth growing', () => {
    expect(judgeRss(series(Array.from({ length: 40 }, (_, i) => 100 + i * 5))).trend).toBe('growing');
  });
});

describe('row check between the naive sync and the pipeline', () => {
  const row = (fid: number, fields: Record<string, unknown>) => [{ fid, fields }];

  it('accepts the same row with fields in another order and names differing fields', () => {
    const naive = { A: row(7, { x: '1.00', y: 'b' }), B: row(7, { x: '2.00' }) };
    const pipeline = { A: row(7, { y: 'b', x: '1.00' }), B: row(7, { x: '2.50' }) };
    const check = compareRows(['A', 'B'], naive, pipeline);
    expect(check.identical).toBe(1);
    expect(check.differences).toEqual(['B: differs in x']);
  });

  it('reports a receipt written twice', () => {
    const check = compareRows(['A'], { A: row(7, {}) }, { A: [...row(7, {}), ...row(7, {})] });
    expect(check.differences).toEqual(['A: 1 naive row(s), 2 pipeline row(s)']);
  });
});

describe('bench options', () => {
  it('runs only the sections named by --only, in report order', () => {
    expect(parseOptions(['--only', 'zero,naive'], env).sections).toEqual(['naive', 'zero']);
    expect(parseOptions(['--only=rss'], env).sections).toEqual(['rss']);
  });

  it('refuses an unknown section by name', () => {
    expect(() => parseOptions(['--only', 'naive,speed'], env)).toThrow(/unknown section\(s\) speed/);
  });

  it('shrinks every size in quick mode', () => {
    const full = parseOptions([], env).sizes;
    const quick = parseOptions([], { BENCH_QUICK: '1' } as NodeJS.ProcessEnv).sizes;
    expect(quick.rssReceipts).toBe(10_000);
    expect(full.rssReceipts).toBe(100_000);
    for (const key of Object.keys(full) as Array<keyof typeof full>) expect(quick[key]).toBeLessThanOrEqual(full[key]);
  });
});

describe("caps' bound of a sync:once run", () => {
  const o = parseOptions([], env);

  it('is the OKKI requests at the client rate when every receipt costs a receipt/info call', () => {
    const b = capsBound(o.realistic, 800, 50, 810);
    expect(b.okkiSeconds).toBeCloseTo(8.1, 5);
    expect(b.saveOnlySeconds).toBeCloseTo((16 * 200 + 800 * 2) / 4 / 1000, 5);
    expect(b.seconds).toBeCloseTo(8.1, 5);
    expect(b.limitedBy).toBe('OKKI');
  });

  it('is the BatchSaves of full batches over the slots in the K3Cloud-bound case', () => {
    const b = capsBound(o.k3Bound, 2_000, 50, 22);
    expect(b.saveOnlySeconds).toBeCloseTo((40 * 200 + 2_000 * 20) / 2 / 1000, 5);
    expect(b.limitedBy).toBe('K3Cloud');
  });

  it('shows what two and one queries per batch leave of the save-only bound', () => {
    const c = queryCeilings(o.k3Bound, 50);
    expect(c.twoQueries).toBeCloseTo(1_200 / 1_600, 5);
    expect(c.oneQuery).toBeCloseTo(1_200 / 1_400, 5);
  });

  it('reads BENCH_ONCE_CASES as receipts and bank enrichment, refusing anything else', () => {
    expect(parseOnceCases('800:on, 5000:off,1000')).toEqual([
      { receipts: 800, enrichBank: true },
      { receipts: 5_000, enrichBank: false },
      { receipts: 1_000, enrichBank: true },
    ]);
    expect(() => parseOnceCases('800:maybe')).toThrow(/BENCH_ONCE_CASES/);
  });
});
