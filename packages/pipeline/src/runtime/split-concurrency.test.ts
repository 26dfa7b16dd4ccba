import { splitConcurrency } from './writer-workers';

describe("the writer's BullMQ workers", () => {
  it('share WRITER_CONCURRENCY in workers of at most 50 jobs, never more than eight workers', () => {
    expect(splitConcurrency(400)).toEqual([50, 50, 50, 50, 50, 50, 50, 50]);
    expect(splitConcurrency(130)).toEqual([44, 44, 42]);
    expect(splitConcurrency(20)).toEqual([20]);
    expect(splitConcurrency(1000)).toEqual(Array(8).fill(125));
    for (const total of [1, 7, 50, 51, 399, 401, 5000])
      expect(splitConcurrency(total).reduce((a, b) => a + b, 0)).toBe(total);
  });
});
