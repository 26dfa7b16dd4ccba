import type { RedisClient } from '@receipt-sync/core';

/**
 * Rows whose save went out without an answer, by receipt: K3Cloud may still apply that save
 * (KINGDEE_LATE_WRITE_SECONDS), so the row is not sent again before then unless the read before the
 * next save finds it. Kept in Redis (one key per receipt, expiring with the hold), so a writer that
 * takes over from a dead one keeps to the holds it left.
 */
export interface LateWrites {
  /** Holds `receiptIds` for `ms` from now (a later hold extends, never shortens). */
  hold(receiptIds: readonly string[], ms: number): Promise<void>;
  /** Receipt id → when its hold ends (ms), for the ids held now. */
  heldUntil(receiptIds: readonly string[]): Promise<Map<string, number>>;
  release(receiptIds: readonly string[]): Promise<void>;
}

export function redisLateWrites(redis: RedisClient, prefix: string): LateWrites {
  const key = (id: string) => `${prefix}:late-write:${id}`;
  return {
    async hold(ids, ms) {
      if (ids.length === 0 || ms <= 0) return;
      const until = Date.now() + ms;
      const pipeline = redis.pipeline();
      for (const id of ids) pipeline.set(key(id), String(until), 'PX', ms);
      await pipeline.exec();
    },
    async heldUntil(ids) {
      if (ids.length === 0) return new Map();
      const values = await Promise.all(ids.map((id) => redis.get(key(id))));
      const out = new Map<string, number>();
      ids.forEach((id, i) => {
        const until = Number(values[i]);
        if (values[i] !== null && until > Date.now()) out.set(id, until);
      });
      return out;
    },
    async release(ids) {
      if (ids.length > 0) await Promise.all(ids.map((id) => redis.del(key(id))));
    },
  };
}

/** No holds: tests and tools that keep none. */
export const noLateWrites: LateWrites = {
  hold: async () => undefined,
  heldUntil: async () => new Map(),
  release: async () => undefined,
};
