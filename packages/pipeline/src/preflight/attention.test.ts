import { randomUUID } from 'node:crypto';
import IORedis from 'ioredis';
import { K3CloudAttention, UNAUDIT_PENDING_GRACE_MS } from './attention';

describe('K3CloudAttention: orders left un-audited', () => {
  const redis = new IORedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const prefix = `attention-${randomUUID().slice(0, 8)}`;
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('lists a failed re-audit at once, and a step in progress only once a writer stopped mid-way', async () => {
    const attention = new K3CloudAttention(redis, prefix);
    await attention.markUnaudited({ fid: 1, billNo: 'XSDD1', reason: 're-audit failed: 信用额度不足' });
    await attention.markUnaudited({ fid: 2, billNo: 'XSDD2', reason: 'in progress', pending: true });
    expect((await attention.unauditedOrders()).map((o) => o.billNo)).toEqual(['XSDD1']);
    const later = Date.now() + UNAUDIT_PENDING_GRACE_MS + 1000;
    expect((await attention.unauditedOrders(later)).map((o) => o.billNo)).toEqual(['XSDD1', 'XSDD2']);
    await attention.clearUnaudited(1);
    await attention.clearUnaudited(2);
    expect(await attention.unauditedOrders(later)).toEqual([]);
  });
});
