import type { RedisClient } from '@receipt-sync/core';
import type { AuditSinkTuning } from '../audit-sink';
import type { StoreBackend, SyncStore } from '../sync-store';
import { stateKeys } from './keys';
import { RedisAudit } from './redis-audit';
import { RedisCheckpoints } from './redis-checkpoints';
import { RedisHistory } from './redis-history';
import { RedisLedger } from './redis-ledger';
import { RedisOrderIndex } from './redis-orders';
import { RedisWindows } from './redis-windows';

export interface RedisStoreOptions {
  redis: RedisClient;
  /** True when the store created the connection and must close it. */
  ownsConnection: boolean;
  prefix: string;
  auditLimit: number;
  windowLimit: number;
  auditSink?: AuditSinkTuning;
}

/** State in Redis under `${prefix}:state:` (docs/operations.md#configuration: MONGO_URL unset). */
export class RedisSyncStore implements SyncStore {
  readonly backend: StoreBackend = 'redis';
  readonly checkpoints: RedisCheckpoints;
  readonly windows: RedisWindows;
  readonly ledger: RedisLedger;
  readonly orders: RedisOrderIndex;
  readonly audit: RedisAudit;
  readonly history: RedisHistory;
  private closed = false;

  constructor(private readonly options: RedisStoreOptions) {
    const keys = stateKeys(options.prefix);
    this.checkpoints = new RedisCheckpoints(options.redis, keys);
    this.windows = new RedisWindows(options.redis, keys, options.windowLimit);
    this.ledger = new RedisLedger(options.redis, keys);
    this.orders = new RedisOrderIndex(options.redis, keys);
    this.audit = new RedisAudit(options.redis, keys, options.auditLimit, options.auditSink);
    this.history = new RedisHistory(options.redis, keys);
  }

  /** Redis needs no schema; checking the connection makes a bad REDIS_URL fail at start-up. */
  async init(): Promise<void> {
    await this.ping();
  }

  async ping(): Promise<void> {
    const answer = await this.options.redis.ping();
    if (answer !== 'PONG') throw new Error(`redis ping answered ${answer}`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.audit.closeSink();
    if (this.options.ownsConnection) await this.options.redis.quit();
  }
}
