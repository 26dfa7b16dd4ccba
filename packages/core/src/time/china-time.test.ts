import { formatChinaDate, formatChinaTime, parseChinaTime, requireChinaTime } from '.';

describe('china time', () => {
  it('renders UTC instants as Shanghai wall clock', () => {
    expect(formatChinaTime(new Date('2025-04-15T09:47:13Z'))).toBe('2025-04-15 17:47:13');
    expect(formatChinaDate(new Date('2025-04-15T16:30:00Z'))).toBe('2025-04-16');
  });

  it('round-trips', () => {
    const d = parseChinaTime('2025-04-15 17:47:13')!;
    expect(d.toISOString()).toBe('2025-04-15T09:47:13.000Z');
    expect(formatChinaTime(d)).toBe('2025-04-15 17:47:13');
  });

  it('treats a date-only value as midnight and accepts the K3Cloud T form', () => {
    expect(parseChinaTime('2025-04-16')!.toISOString()).toBe('2025-04-15T16:00:00.000Z');
    expect(parseChinaTime('2025-04-16T00:00:00')!.toISOString()).toBe('2025-04-15T16:00:00.000Z');
  });

  it('rejects impossible and malformed stamps', () => {
    for (const bad of ['2024-02-30', '2025-13-01 00:00:00', '2025-04-15 24:00:00', 'yesterday', '', '15/04/2025']) {
      expect(parseChinaTime(bad)).toBeUndefined();
    }
    expect(() => requireChinaTime('nope', 'collection_date')).toThrow(/collection_date/);
  });
});
