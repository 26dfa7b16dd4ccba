import fc from 'fast-check';
import { databaseInUrl } from '../mongo/mongo-store';
import { MAX_COMPLETED_INTERVALS, mergeIntervals, type TimeInterval } from './checkpoint';

const stamp = (minute: number) =>
  `2025-04-15 ${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}:00`;

describe('mergeIntervals', () => {
  it('covers exactly the minutes its inputs cover, with sorted, disjoint intervals', () => {
    const interval = fc
      .tuple(fc.integer({ min: 0, max: 1439 }), fc.integer({ min: 0, max: 60 }))
      .map(([s, len]): TimeInterval => ({
        start: stamp(s),
        end: stamp(Math.min(1439, s + len)),
      }));
    fc.assert(
      fc.property(fc.array(interval, { maxLength: 30 }), (list) => {
        const merged = mergeIntervals(list);
        const covered = (xs: TimeInterval[], m: string) => xs.some((i) => i.start <= m && m <= i.end);
        for (let m = 0; m < 1440; m += 7) expect(covered(merged, stamp(m))).toBe(covered(list, stamp(m)));
        for (let i = 1; i < merged.length; i++) expect(merged[i]!.start > merged[i - 1]!.end).toBe(true);
      }),
    );
  });

  it('keeps only the newest intervals', () => {
    const list = Array.from({ length: MAX_COMPLETED_INTERVALS + 5 }, (_, i) => ({
      start: stamp(i * 3),
      end: stamp(i * 3 + 1),
    }));
    const merged = mergeIntervals(list);
    expect(merged).toHaveLength(MAX_COMPLETED_INTERVALS);
    expect(merged[merged.length - 1]).toEqual(list[list.length - 1]);
  });
});

describe('databaseInUrl', () => {
  it.each([
    ['mongodb://127.0.0.1:27017', undefined],
    ['mongodb://127.0.0.1:27017/', undefined],
    ['mongodb://u:p@h1:1,h2:2/sync?replicaSet=rs0', 'sync'],
    ['mongodb+srv://cluster.example.com/prod_db?retryWrites=true', 'prod_db'],
    ['mongodb://h/?authSource=admin', undefined],
  ])('%s → %s', (url, db) => expect(databaseInUrl(url)).toBe(db));
});
