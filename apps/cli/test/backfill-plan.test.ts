import { backfillStream, planBackfill } from '../src/backfill-plan';
import { UsageError } from '../src/exit-codes';

const FROM = '2025-04-01 00:00:00';
const TO = '2025-04-03 23:59:59';

describe('planBackfill', () => {
  it('splits the range into back-to-back sub-windows that share no second, each advancing from the previous end', () => {
    const plan = planBackfill(FROM, TO, 24);
    expect(plan.stream).toBe('backfill:20250401000000-20250403235959');
    expect(plan.total).toBe(3);
    expect(plan.remaining.map((w) => [w.index, w.start, w.end, w.previousCheckpoint])).toEqual([
      [1, '2025-04-01 00:00:00', '2025-04-01 23:59:59', undefined],
      [2, '2025-04-02 00:00:00', '2025-04-02 23:59:59', '2025-04-01 23:59:59'],
      [3, '2025-04-03 00:00:00', '2025-04-03 23:59:59', '2025-04-02 23:59:59'],
    ]);
  });

  it('resumes after the last completed sub-window and keeps the window numbering of the whole range', () => {
    const plan = planBackfill(FROM, TO, 24, '2025-04-01 23:59:59');
    expect(plan.remaining.map((w) => [w.index, w.start, w.previousCheckpoint])).toEqual([
      [2, '2025-04-02 00:00:00', '2025-04-01 23:59:59'],
      [3, '2025-04-03 00:00:00', '2025-04-02 23:59:59'],
    ]);
    expect(planBackfill(FROM, TO, 24, TO).remaining).toEqual([]);
  });

  it('resumes one second after a checkpoint that is off the grid (the step changed between runs)', () => {
    const [first] = planBackfill(FROM, TO, 24, '2025-04-02 11:59:59').remaining;
    expect(first).toMatchObject({
      index: 2,
      start: '2025-04-02 12:00:00',
      end: '2025-04-02 23:59:59',
      previousCheckpoint: '2025-04-02 11:59:59',
    });
  });

  it('cuts the last sub-window at --to', () => {
    const plan = planBackfill(FROM, '2025-04-01 10:00:00', 4);
    expect(plan.remaining.map((w) => w.end)).toEqual([
      '2025-04-01 03:59:59',
      '2025-04-01 07:59:59',
      '2025-04-01 10:00:00',
    ]);
  });

  it.each([
    ['2025-04-01', TO, 24, /--from must be 'YYYY-MM-DD HH:mm:ss'/],
    [FROM, '2025-02-30 00:00:00', 24, /--to must be/],
    [TO, FROM, 24, /--from must not be after --to/],
    [FROM, TO, 0, /--step-hours must be a positive number/],
    [FROM, TO, Number.NaN, /--step-hours must be a positive number/],
  ])('refuses %s → %s step %s', (from, to, step, message) => {
    expect(() => planBackfill(from, to, step)).toThrow(UsageError);
    expect(() => planBackfill(from, to, step)).toThrow(message);
  });

  it('names one stream per range', () => {
    expect(backfillStream(FROM, TO)).not.toBe(backfillStream(FROM, '2025-04-04 00:00:00'));
  });
});
