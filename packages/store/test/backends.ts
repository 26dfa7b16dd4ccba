import { randomUUID } from 'node:crypto';
import IORedis from 'ioredis';
import { createRedisClient, deleteKeys, loadConfig, scanKeys, type RedisClient } from '@receipt-sync/core';
import { MongoClient } from 'mongodb';
import { createStore, type CreateStoreOptions, type SyncStore } from '../src';
import { databaseInUrl } from '../src/mongo/mongo-store';

export type StoreOverrides = Pick<CreateStoreOptions, 'auditLimit' | 'windowLimit' | 'auditSink'>;

/** One backend under test: how to open a store for a prefix and how to erase every prefix it used. */
export interface Backend {
  name: 'redis' | 'mongodb';
  /** `ownConnection`: a store with its own connection, as a second replica would have. */
  open(prefix: string, overrides?: StoreOverrides & { ownConnection?: boolean }): SyncStore;
  cleanup(prefixes: readonly string[]): Promise<void>;
  /** Stores a ledger entry the way a version without the newer indexes did (entry + id/status indexes only). */
  plantLegacyEntry(
    prefix: string,
    entry: Record<string, unknown> & { receiptId: string; status: string },
  ): Promise<void>;
  shutdown(): Promise<void>;
}

export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export function newPrefix(): string {
  return `test-store-${randomUUID()}`;
}

export function redisBackend(): Backend {
  let shared: IORedis | undefined;
  const connection = () => (shared ??= new IORedis(redisUrl, { maxRetriesPerRequest: 3 }));
  return {
    name: 'redis',
    open: (prefix, { ownConnection, ...overrides } = {}) =>
      ownConnection
        ? createStore({ redisUrl, prefix, ...overrides })
        : createStore({ redis: connection(), prefix, ...overrides }),
    async cleanup(prefixes) {
      const redis = connection();
      for (const prefix of prefixes) await deleteKeys(redis, await scanKeys(redis, `${prefix}:*`));
    },
    async plantLegacyEntry(prefix, entry) {
      const base = `${prefix}:state:ledger:`;
      await connection()
        .multi()
        .set(`${base}entry:${entry.receiptId}`, JSON.stringify(entry))
        .zadd(`${base}all`, 0, entry.receiptId)
        .zadd(`${base}status:${entry.status}`, 0, entry.receiptId)
        .exec();
    },
    async shutdown() {
      await shared?.quit();
    },
  };
}

/**
 * The Redis backend on a Redis Cluster (REDIS_CLUSTER_NODES): every prefix is hash-tagged as
 * QUEUE_PREFIX must be there, so the store's multi-key scripts run within one slot.
 */
export function redisClusterBackend(nodes: string): Backend {
  const target = loadConfig({ REDIS_CLUSTER_NODES: nodes, QUEUE_PREFIX: '{test}' }).redis;
  const connections: RedisClient[] = [];
  const connect = () => {
    const client = createRedisClient(target, { maxRetriesPerRequest: 3 });
    connections.push(client);
    return client;
  };
  const tagged = (prefix: string) => `{${prefix}}`;
  return {
    name: 'redis',
    open: (prefix, { ownConnection, ...overrides } = {}) =>
      createStore({
        redis: ownConnection || connections.length === 0 ? connect() : connections[0],
        prefix: tagged(prefix),
        ...overrides,
      }),
    async plantLegacyEntry(prefix, entry) {
      const base = `${tagged(prefix)}:state:ledger:`;
      await (connections[0] ?? connect())
        .multi()
        .set(`${base}entry:${entry.receiptId}`, JSON.stringify(entry))
        .zadd(`${base}all`, 0, entry.receiptId)
        .zadd(`${base}status:${entry.status}`, 0, entry.receiptId)
        .exec();
    },
    async cleanup(prefixes) {
      const client = connections[0] ?? connect();
      for (const prefix of prefixes) await deleteKeys(client, await scanKeys(client, `${tagged(prefix)}:*`));
    },
    async shutdown() {
      await Promise.allSettled(connections.map((c) => c.quit()));
    },
  };
}

/** Lazy: nothing connects unless a test runs (the suite is registered as skipped without MONGO_URL). */
export function mongoBackend(url: string): Backend {
  const dbName = databaseInUrl(url) ?? 'receipt_sync_test';
  return {
    name: 'mongodb',
    open: (prefix, { ownConnection: _own, ...overrides } = {}) =>
      createStore({ mongoUrl: url, mongoDb: dbName, prefix, ...overrides }),
    async cleanup(prefixes) {
      const client = new MongoClient(url);
      try {
        const db = client.db(dbName);
        const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
        for (const name of names) if (prefixes.some((p) => name.startsWith(`${p}_`))) await db.dropCollection(name);
      } finally {
        await client.close();
      }
    },
    async plantLegacyEntry(prefix, entry) {
      const client = new MongoClient(url);
      try {
        const at = (v: unknown) => (typeof v === 'string' ? new Date(v) : v);
        const lastError = entry.lastError as { at?: string } | undefined;
        await client
          .db(dbName)
          .collection(`${prefix}_ledger`)
          .insertOne({
            ...entry,
            updatedAt: at(entry.updatedAt),
            ...(lastError ? { lastError: { ...lastError, at: at(lastError.at) } } : {}),
          });
      } finally {
        await client.close();
      }
    },
    async shutdown() {},
  };
}

/** Polls `probe` until `accept` holds, failing after `timeoutMs`; for TTL expiry without fixed sleeps. */
export async function eventually<T>(
  probe: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms (last value: ${JSON.stringify(value)})`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
