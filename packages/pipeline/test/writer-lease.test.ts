import { randomUUID } from 'node:crypto';
import IORedis from 'ioredis';
import { createLogger } from '@receipt-sync/core';
import { describeWriterLease, readWriterLease, WriterLease } from '../src/locks';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const logger = createLogger({ name: 'test', level: 'silent' });

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<number> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - started;
}

describe('the writer lease', () => {
  let redis: IORedis;
  let prefix: string;
  const leases: WriterLease[] = [];
  const lease = (process: string, ttlMs = 1_500) => {
    const changes: boolean[] = [];
    const l = new WriterLease({
      redis,
      prefix,
      ttlMs,
      process,
      logger,
      standbyPollMs: 50,
      onChange: async (active) => void changes.push(active),
    });
    leases.push(l);
    return { lease: l, changes };
  };

  beforeAll(() => {
    redis = new IORedis(redisUrl, { maxRetriesPerRequest: null });
  });
  beforeEach(() => {
    prefix = `test-lease-${randomUUID().slice(0, 8)}`;
  });
  afterEach(async () => {
    await Promise.all(leases.splice(0).map((l) => l.stop()));
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('makes exactly one of several writers active; the others count as standbys', async () => {
    const all = [lease('writer-a'), lease('writer-b'), lease('writer-c')];
    for (const w of all) await w.lease.start();
    expect(all.filter((w) => w.lease.active())).toHaveLength(1);
    await until(async () => (await readWriterLease(redis, prefix)).standbys === 2, 'two standbys');
    const view = await readWriterLease(redis, prefix);
    const active = all.find((w) => w.lease.active())!;
    expect(view.holder).toMatchObject({ id: active.lease.id, pid: process.pid, epoch: 1 });
    expect(active.changes).toEqual([true]);
    expect(describeWriterLease(view)).toMatch(
      /^active writer: writer-. on .+ \(pid \d+\), since .+ China time \(lease #1\); 2 standbys$/,
    );
  });

  it('hands over at once when the active writer stops, under a higher fencing number', async () => {
    const a = lease('writer-a');
    const b = lease('writer-b');
    await a.lease.start();
    await b.lease.start();
    expect(b.lease.active()).toBe(false);
    await a.lease.stop();
    expect(a.changes).toEqual([true, false]);
    const waited = await until(() => b.lease.active(), 'the standby to take over');
    expect(waited).toBeLessThan(1_000); // a clean stop frees the lease at once: the standby's next poll takes it
    expect((await readWriterLease(redis, prefix)).holder).toMatchObject({ id: b.lease.id, epoch: 2 });
  });

  it('lets a standby take over from a writer that died only once its lease has run out', async () => {
    // A writer that died: its lease value stays in Redis until the lease time is over.
    const dead = `7 ${Date.now()} ${JSON.stringify({ id: 'dead', process: 'writer', host: 'h', pid: 1 })}`;
    await redis.set(`${prefix}:writer:lease`, dead, 'PX', 1_000);
    await redis.set(`${prefix}:writer:epoch`, '7');
    const b = lease('writer-b');
    await b.lease.start();
    expect(b.lease.active()).toBe(false);
    expect((await readWriterLease(redis, prefix)).holder).toMatchObject({ id: 'dead', pid: 1 });
    await until(() => b.lease.active(), 'the standby to take over after the lease ran out', 5_000);
    expect((await readWriterLease(redis, prefix)).holder).toMatchObject({ id: b.lease.id, epoch: 8 });
  });

  it('fences: once another process holds the lease, the check refuses and the writer steps down', async () => {
    const a = lease('writer-a');
    await a.lease.start();
    await expect(a.lease.fence()).resolves.toBeUndefined();
    // Another process holds the lease now (as after a pause longer than the lease time).
    await redis.set(`${prefix}:writer:lease`, `9 ${Date.now()} {"id":"other","process":"writer","host":"h","pid":2}`);
    await expect(a.lease.fence()).rejects.toMatchObject({ code: 'writer.not-active', disposition: 'rate-limited' });
    expect(a.lease.active()).toBe(false);
    await until(() => a.changes.length === 2, 'the writer to step down');
    expect(a.changes).toEqual([true, false]);
  });

  it('reports a vacancy with the time the lease was last held', async () => {
    expect(describeWriterLease(await readWriterLease(redis, prefix))).toBe(
      'no writer has held the writer lease yet; 0 standbys',
    );
    const a = lease('writer-a');
    await a.lease.start();
    await a.lease.stop();
    const view = await readWriterLease(redis, prefix);
    expect(view.holder).toBeUndefined();
    expect(view.lastHeldMs).toBeGreaterThan(view.nowMs - 5_000);
    expect(describeWriterLease(view)).toMatch(/^no active writer for \d+ s \(last held .+ China time\); 0 standbys$/);
  });
});
