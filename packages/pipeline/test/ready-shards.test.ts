import { randomUUID } from 'node:crypto';
import type IORedis from 'ioredis';
import { createLogger } from '@receipt-sync/core';
import {
  claimReadyShards,
  closeQueues,
  createQueues,
  createRedisConnection,
  readyShardsCheck,
  ShardOwnership,
  type PipelineQueues,
} from '../src';

const logger = createLogger({ name: 'test', level: 'silent' });

/** Resolves when `check` holds, polled every 20 ms (fails the test after 5 s). */
async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('ready shards in Redis', () => {
  let redis: IORedis;
  const prefixes: string[] = [];
  const prefix = () => {
    const p = `test-shards-${randomUUID().slice(0, 8)}`;
    prefixes.push(p);
    return p;
  };
  beforeAll(() => {
    redis = createRedisConnection('redis://127.0.0.1:6379');
  });
  afterAll(async () => {
    for (const p of prefixes) {
      const keys = await redis.keys(`${p}*`);
      if (keys.length > 0) await redis.del(...keys);
    }
    await redis.quit();
  });

  it('split between writers that come and go: each works its share, and one left alone works them all', async () => {
    const p = prefix();
    const seen = new Map<string, number[]>();
    const writer = () => {
      const w: ShardOwnership = new ShardOwnership({
        redis,
        prefix: p,
        shards: 4,
        logger,
        heartbeatMs: 50,
        memberTtlMs: 300,
        onChange: async (owned) => void seen.set(w.id, owned),
      });
      return w;
    };
    const [a, b] = [writer(), writer()];
    await a.start();
    expect(a.owned()).toEqual([0, 1, 2, 3]); // alone so far
    await b.start();
    await until(() => a.owned().length === 2 && b.owned().length === 2, 'the two writers to split the shards');
    expect([...a.owned(), ...b.owned()].sort()).toEqual([0, 1, 2, 3]);
    expect(seen.get(b.id)).toEqual(b.owned());
    await b.stop(); // leaves the list: a takes every shard at its next heartbeat
    await until(() => a.owned().length === 4, 'the remaining writer to take every shard');
    await a.stop();
  });

  it('takes over the shards of a writer that died (stopped heartbeating) once its entry expires', async () => {
    const p = prefix();
    const opts = { redis, prefix: p, shards: 2, logger, heartbeatMs: 50, memberTtlMs: 300, onChange: async () => {} };
    const survivor = new ShardOwnership(opts);
    await survivor.start();
    // A writer that joined and then died: its entry stays until it expires.
    await redis.zadd(`${p}:writers`, Date.now() + 300, 'dead-writer');
    await until(() => survivor.owned().length === 1, 'the survivor to share with the dead writer');
    await until(() => survivor.owned().length === 2, 'the survivor to take over after the entry expired');
    await survivor.stop();
  });

  describe('READY_SHARDS agreed by every process', () => {
    const open: PipelineQueues[] = [];
    afterAll(async () => {
      for (const q of open) await closeQueues(q);
    });
    const queuesFor = (p: string, shards: number) => {
      const q = createQueues(redis, p, shards);
      open.push(q);
      return q;
    };

    it('refuses a process with another count while rows wait, naming both counts and the fix', async () => {
      const p = prefix();
      const deployed = queuesFor(p, 4);
      await claimReadyShards(redis, p, deployed, logger);
      await deployed.readyShards.queues[3]!.add('row', { waiting: true } as never);
      const other = queuesFor(p, 2);
      await expect(claimReadyShards(redis, p, other, logger)).rejects.toThrow(
        /READY_SHARDS is 2 in this process but 4 in the deployment using this Redis, with 1 waiting in its ready shards.*same READY_SHARDS/,
      );
      await expect(readyShardsCheck(redis, p, 2)()).rejects.toThrow(/READY_SHARDS is 2 in this process but 4/);
      await expect(readyShardsCheck(redis, p, 4)()).resolves.toBeUndefined();
    });

    it('lets the count change while ready is empty, and records it again after Redis lost it', async () => {
      const p = prefix();
      await claimReadyShards(redis, p, queuesFor(p, 4), logger);
      await claimReadyShards(redis, p, queuesFor(p, 8), logger);
      expect(await redis.get(`${p}:ready-shards`)).toBe('8');
      await redis.del(`${p}:ready-shards`);
      await readyShardsCheck(redis, p, 8)();
      expect(await redis.get(`${p}:ready-shards`)).toBe('8');
    });
  });
});
