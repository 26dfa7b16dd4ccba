import { readyShardNames, readyShardOf } from './ready-shards';

describe('ready shards', () => {
  it('are `ready` alone by default, and `ready`, `ready-1` … when split', () => {
    expect(readyShardNames(1)).toEqual(['ready']);
    expect(readyShardNames(4)).toEqual(['ready', 'ready-1', 'ready-2', 'ready-3']);
  });

  it('send every row of one sales order to the same shard, and spread the orders evenly', () => {
    const orders = Array.from({ length: 12_000 }, (_, i) => String(3_000_000 + i * 7));
    const counts = new Array(12).fill(0);
    for (const order of orders) {
      const shard = readyShardOf(order, 12);
      expect(readyShardOf(order, 12)).toBe(shard);
      counts[shard] += 1;
    }
    // 1,000 per shard on average; md5 keeps every shard within 15 % of it.
    for (const n of counts) expect(Math.abs(n - 1000)).toBeLessThan(150);
    expect(readyShardOf('3000007', 1)).toBe(0);
  });
});
