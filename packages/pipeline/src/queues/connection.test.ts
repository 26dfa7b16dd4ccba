import { queueKeyPrefix } from './connection';

describe('queueKeyPrefix (BullMQ prefix per queue)', () => {
  it('keeps an untagged QUEUE_PREFIX as it is, so single-Redis keys stay rsync:raw:…', () => {
    expect(queueKeyPrefix('rsync', 'raw')).toBe('rsync');
    expect(queueKeyPrefix('rsync-demo', 'ready')).toBe('rsync-demo');
  });

  it('gives each queue its own hash tag under a tagged prefix, keeping what follows the tag', () => {
    expect(queueKeyPrefix('{rsync}', 'raw')).toBe('{rsync:raw}');
    expect(queueKeyPrefix('{rsync}', 'dead-letter')).toBe('{rsync:dead-letter}');
    expect(queueKeyPrefix('{rsync}-eu', 'ready')).toBe('{rsync:ready}-eu');
  });
});
