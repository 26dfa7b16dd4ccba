import { RECEIPT_STATUSES, type ReceiptStatus, type RedisClient } from '@receipt-sync/core';
import { CONFLICT, retryOnConflict } from '../optimistic';
import {
  ERROR_SCAN_LIMIT,
  ledgerEntrySchema,
  type ErrorGroup,
  type LedgerEntry,
  type LedgerListFilter,
  type LedgerRepo,
} from '../model/ledger';
import { emptyCounts, groupErrors } from '../model/ledger-rules';
import { RuleLedger, type LedgerRule } from '../model/rule-ledger';
import { clampLimit, parseOrThrow } from '../model/validate';
import type { StateKeys } from './keys';
import { getManyRaw, parseJson } from './scripts';

/**
 * Compare-and-set of one ledger entry plus its index entries, atomically (Lua), so the status,
 * order and error indexes can never disagree with the entry.
 * KEYS: entry, old status set, new status set, all, old order set, new order set, errors.
 * ARGV: expected raw ('' = absent), next raw, receiptId, had order ('1'/'0'), has order, error score ('' = none).
 */
const LEDGER_CAS = `
local cur = redis.call('GET', KEYS[1])
if cur == false then cur = '' end
if cur ~= ARGV[1] then return 0 end
local id = ARGV[3]
redis.call('SET', KEYS[1], ARGV[2])
if KEYS[2] ~= KEYS[3] then redis.call('ZREM', KEYS[2], id) end
redis.call('ZADD', KEYS[3], 0, id)
redis.call('ZADD', KEYS[4], 0, id)
if ARGV[4] == '1' and (ARGV[5] ~= '1' or KEYS[5] ~= KEYS[6]) then redis.call('ZREM', KEYS[5], id) end
if ARGV[5] == '1' then redis.call('ZADD', KEYS[6], 0, id) end
if ARGV[6] == '' then redis.call('ZREM', KEYS[7], id) else redis.call('ZADD', KEYS[7], ARGV[6], id) end
return 1
`;

const LIST_CHUNK = 200;

export class RedisLedger extends RuleLedger implements LedgerRepo {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: StateKeys,
  ) {
    super();
  }

  async get(receiptId: string): Promise<LedgerEntry | undefined> {
    const raw = await this.redis.get(this.keys.ledgerEntry(receiptId));
    return raw === null ? undefined : this.decode(raw, receiptId);
  }

  async getMany(receiptIds: readonly string[]): Promise<Map<string, LedgerEntry>> {
    const ids = [...new Set(receiptIds)];
    const raws = await getManyRaw(
      this.redis,
      ids.map((id) => this.keys.ledgerEntry(id)),
    );
    const found = new Map<string, LedgerEntry>();
    raws.forEach((raw, i) => {
      const id = ids[i];
      if (raw !== null && id !== undefined) found.set(id, this.decode(raw, id));
    });
    return found;
  }

  async countByStatus(): Promise<Record<ReceiptStatus, number>> {
    const pipeline = this.redis.pipeline();
    for (const status of RECEIPT_STATUSES) pipeline.zcard(this.keys.ledgerStatus(status));
    const results = (await pipeline.exec()) ?? [];
    const counts = emptyCounts();
    RECEIPT_STATUSES.forEach((status, i) => {
      const [error, n] = results[i] ?? [null, 0];
      if (error) throw error;
      counts[status] = Number(n);
    });
    return counts;
  }

  async list(filter: LedgerListFilter = {}): Promise<LedgerEntry[]> {
    const limit = clampLimit(filter.limit, 100, 1000);
    const index =
      filter.orderId !== undefined
        ? this.keys.ledgerOrder(filter.orderId)
        : filter.status !== undefined
          ? this.keys.ledgerStatus(filter.status)
          : this.keys.ledgerAll;
    const keep = (e: LedgerEntry) =>
      (filter.status === undefined || e.status === filter.status) &&
      (filter.orderId === undefined || e.orderId === filter.orderId);
    const out: LedgerEntry[] = [];
    let cursor = filter.after;
    while (out.length < limit) {
      const ids = await this.redis.zrangebylex(
        index,
        cursor === undefined ? '-' : `(${cursor}`,
        '+',
        'LIMIT',
        0,
        LIST_CHUNK,
      );
      const entries = await this.getMany(ids);
      for (const id of ids) {
        const e = entries.get(id);
        if (e && keep(e) && out.length < limit) out.push(e);
      }
      if (ids.length < LIST_CHUNK) break;
      cursor = ids[ids.length - 1];
    }
    return out;
  }

  async latestErrors(limit: number): Promise<ErrorGroup[]> {
    const ids = await this.redis.zrevrange(this.keys.ledgerErrors, 0, ERROR_SCAN_LIMIT - 1);
    const entries = await this.getMany(ids);
    return groupErrors([...entries.values()], clampLimit(limit, 20, 1000));
  }

  /** Optimistic read → rule → CAS; returns the entry written, or undefined when the rule changed nothing. */
  protected update(receiptId: string, rule: LedgerRule): Promise<LedgerEntry | undefined> {
    const k = this.keys;
    return retryOnConflict(`ledger ${receiptId}`, async () => {
      const raw = await this.redis.get(k.ledgerEntry(receiptId));
      const current = raw === null ? undefined : this.decode(raw, receiptId);
      const next = rule(current);
      if (next === undefined) return undefined;
      const hadOrder = current !== undefined && current.orderId !== '';
      const hasOrder = next.orderId !== '';
      const ok = await this.redis.eval(
        LEDGER_CAS,
        7,
        k.ledgerEntry(receiptId),
        k.ledgerStatus(current?.status ?? next.status),
        k.ledgerStatus(next.status),
        k.ledgerAll,
        hadOrder ? k.ledgerOrder(current.orderId) : k.ledgerAll,
        hasOrder ? k.ledgerOrder(next.orderId) : k.ledgerAll,
        k.ledgerErrors,
        raw ?? '',
        JSON.stringify(next),
        receiptId,
        hadOrder ? '1' : '0',
        hasOrder ? '1' : '0',
        next.lastError ? String(next.lastError.at.getTime()) : '',
      );
      return ok === 1 ? next : CONFLICT;
    });
  }

  private decode(raw: string, receiptId: string): LedgerEntry {
    return parseOrThrow(ledgerEntrySchema, parseJson(raw), `store ledger entry ${receiptId}`);
  }
}
