import { ownedShards } from './shard-ownership';

describe('which ready shards a writer works', () => {
  it('gives every shard to exactly one writer, evenly, whichever writer computes it', () => {
    const writers = ['c', 'a', 'd', 'b'];
    const shares = writers.map((me) => ownedShards(12, writers, me));
    expect(shares.map((s) => s.length)).toEqual([3, 3, 3, 3]);
    expect(shares.flat().sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(ownedShards(12, ['a', 'b', 'c', 'd'], 'a')).toEqual(ownedShards(12, ['d', 'c', 'b', 'a'], 'a'));
  });

  it('gives a writer alone every shard, even before it sees itself in the list', () => {
    expect(ownedShards(4, [], 'a')).toEqual([0, 1, 2, 3]);
    expect(ownedShards(5, ['a', 'b', 'c'], 'b')).toEqual([1, 4]);
  });
});
