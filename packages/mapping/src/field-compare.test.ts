import { normalizeValue, type ValueKind } from './field-compare';

describe('normalizeValue', () => {
  it.each<[ValueKind, unknown, unknown, boolean]>([
    ['decimal', '200.00', 200, true],
    ['decimal', '3.5', 3.5, true],
    ['decimal', null, 0, true],
    ['decimal', '200.00', 200.01, false],
    ['datetime', '2025-04-16 00:00:00', '2025-04-16T00:00:00', true],
    ['datetime', '2025-04-16 00:00:00', '2025-04-16T00:00:00.000', true],
    ['datetime', '2025-04-16 00:00:00', '2025-04-17T00:00:00', false],
    ['datetime', null, '', true],
    ['bool', true, 'true', true],
    ['bool', false, null, true],
    ['bool', true, 0, false],
    ['text', null, '', true],
    ['text', 'T/T', 'T/T ', false],
  ])('%s: %j vs K3Cloud %j → equal %s', (kind, ours, theirs, equal) => {
    expect(normalizeValue(kind, ours) === normalizeValue(kind, theirs)).toBe(equal);
  });
});
