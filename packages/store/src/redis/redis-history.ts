import type { RedisClient } from '@receipt-sync/core';
import {
  HISTORY_LIMIT,
  newestFirst,
  newVersionSchema,
  storedVersionSchema,
  versionField,
  type NewReceiptVersion,
  type ReceiptHistoryRepo,
  type ReceiptVersion,
} from '../model/history';
import { parseOrThrow, withoutUndefined } from '../model/validate';
import type { StateKeys } from './keys';
import { parseJson } from './scripts';

/** Keeps the first sighting (HSETNX), then drops the oldest fields past the limit; atomic per receipt. */
const RECORD_VERSION = `
redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])
local n = redis.call('HLEN', KEYS[1])
if n > tonumber(ARGV[3]) then
  local fields = redis.call('HKEYS', KEYS[1])
  table.sort(fields)
  for i = 1, n - tonumber(ARGV[3]) do redis.call('HDEL', KEYS[1], fields[i]) end
end
return 1
`;

/** One hash per receipt: version field (`update_time|active`) → JSON record. */
export class RedisHistory implements ReceiptHistoryRepo {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: StateKeys,
  ) {}

  async record(versions: readonly NewReceiptVersion[]): Promise<void> {
    if (versions.length === 0) return;
    const now = new Date();
    const pipeline = this.redis.pipeline();
    for (const input of versions) {
      const v = parseOrThrow(newVersionSchema, input, `store receipt version ${input.receiptId}`);
      const stored = withoutUndefined({ ...v, seenAt: (v.seenAt ?? now).toISOString() });
      pipeline.eval(
        RECORD_VERSION,
        1,
        this.keys.history(v.receiptId),
        versionField(v),
        JSON.stringify(stored),
        HISTORY_LIMIT,
      );
    }
    for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
  }

  async list(receiptId: string): Promise<ReceiptVersion[]> {
    const raws = Object.values(await this.redis.hgetall(this.keys.history(receiptId)));
    return newestFirst(
      raws.map((raw) => parseOrThrow(storedVersionSchema, parseJson(raw), `store receipt version ${receiptId}`)),
    );
  }
}
