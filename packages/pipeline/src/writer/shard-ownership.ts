import { randomUUID } from 'node:crypto';
import type { Logger, RedisClient } from '@receipt-sync/core';

/**
 * The ready shards `me` works: shard k goes to the k-th writer (mod their number) in id order, so
 * every writer that reads the same member list comes to the same split, and the split is even
 * (12 shards over 4 writers: 3 each).
 */
export function ownedShards(shards: number, members: readonly string[], me: string): number[] {
  const sorted = [...new Set([...members, me])].sort();
  const index = sorted.indexOf(me);
  return Array.from({ length: shards }, (_, k) => k).filter((k) => k % sorted.length === index);
}

/**
 * KEYS[1] sorted set of live writers (member = id, score = expiry ms by Redis's clock). ARGV: id,
 * ttl ms, 1 to join / 0 to leave. Returns the live members.
 */
const HEARTBEAT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if ARGV[3] == '1' then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
else
  redis.call('ZREM', KEYS[1], ARGV[1])
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 2)
return redis.call('ZRANGE', KEYS[1], 0, -1)
`;

export interface ShardOwnershipOptions {
  redis: RedisClient;
  /** QUEUE_PREFIX: the member list is `${prefix}:writers`. */
  prefix: string;
  /** READY_SHARDS. */
  shards: number;
  logger: Logger;
  /** Called (one call at a time) with the shards this writer works from now on. */
  onChange(owned: number[]): Promise<void>;
  /** How often a writer says it is alive and reads the others. @defaultValue 1000 */
  heartbeatMs?: number;
  /** A writer not heard from for this long is gone, and its shards go to the others. @defaultValue 5000 */
  memberTtlMs?: number;
}

/**
 * Which ready shards this writer process works. Writers list themselves in Redis with a heartbeat
 * and split the shards evenly among those alive; one that stops leaves the list, one that dies drops
 * out after `memberTtlMs`, and the others take its shards over. While writers join or leave, two of
 * them may briefly work one shard: that costs batch size, never correctness (order locks keep one
 * save per sales order at a time, and the ledger makes a second write of a version a no-op).
 */
export class ShardOwnership {
  readonly id = randomUUID();
  private current: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private changes: Promise<void> = Promise.resolve();
  private readonly key: string;

  constructor(private readonly opts: ShardOwnershipOptions) {
    this.key = `${opts.prefix}:writers`;
  }

  /** The shards this writer works now. */
  owned(): readonly number[] {
    return this.current;
  }

  /** Joins the list and works its share; the list is read again every heartbeat. */
  async start(): Promise<void> {
    await this.beat();
    await this.changes;
    this.timer = setInterval(() => void this.beat(), this.opts.heartbeatMs ?? 1000);
    this.timer.unref();
  }

  /** Leaves the list at once (the others take its shards over at their next heartbeat). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.call(false).catch(() => undefined);
    await this.changes;
  }

  private async beat(): Promise<void> {
    let members: string[];
    try {
      members = await this.call(true);
    } catch (err) {
      // Redis away: keep working the shards held; the member entry is written again when it is back.
      this.opts.logger.warn({ err }, 'writer shard heartbeat failed; keeping the shards held');
      return;
    }
    const owned = ownedShards(this.opts.shards, members, this.id);
    if (owned.join() === this.current.join()) return;
    this.opts.logger.info({ owned, writers: members.length }, 'writer works ready shards');
    this.current = owned;
    this.changes = this.changes
      .then(() => this.opts.onChange(owned))
      .catch((err: unknown) => {
        this.opts.logger.error({ err }, 'changing the ready shards this writer works failed');
      });
  }

  private async call(join: boolean): Promise<string[]> {
    const ttl = this.opts.memberTtlMs ?? 5000;
    return (await this.opts.redis.eval(HEARTBEAT, 1, this.key, this.id, String(ttl), join ? '1' : '0')) as string[];
  }
}
