import { lineChart, niceMax } from '../src/charts';

const at = (m: number) => new Date(Date.UTC(2025, 3, 15, 2, m));

describe('lineChart', () => {
  it('rounds the axis up to 1, 2 or 5 × 10^n', () => {
    expect([0, 0.4, 1, 3, 7, 12, 180, 501].map(niceMax)).toEqual([1, 0.5, 1, 5, 10, 20, 200, 1000]);
  });

  it('breaks a gauge line where nothing was measured, and draws counters through zero', () => {
    const points = [1, 2, null, null, 4, 5].map((value, i) => ({ at: at(i), value }));
    const gauge = lineChart('Lag', [{ label: 'lag', color: '#123456', points }], { unit: 'min' }).value;
    expect(gauge.match(/<polyline /g)).toHaveLength(2);
    const counter = lineChart('Written', [{ label: 'written', color: '#123456', points }], {
      unit: 'per minute',
      zeroFill: true,
    }).value;
    expect(counter.match(/<polyline /g)).toHaveLength(1);
    expect(counter).toContain('10:00'); // first tick, China time
  });

  it('says when a period is empty and escapes its labels', () => {
    const empty = lineChart(
      '<script>x</script>',
      [{ label: '"a"', color: '#000', points: [{ at: at(0), value: null }] }],
      {
        unit: 'u',
      },
    ).value;
    expect(empty).toContain('nothing recorded in this period');
    expect(empty).not.toContain('<script>x');
    expect(empty).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(empty).toContain('&quot;a&quot;');
  });
});
