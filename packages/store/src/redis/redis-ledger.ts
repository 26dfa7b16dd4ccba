import { RECEIPT_STATUSES, type ReceiptStatus, type RedisClient } from '@receipt-sync/core';
import { CONFLICT, retryOnConflict } from '../optimistic';
import {
  ERROR_SAMPLE_SIZE,
  ORDER_SCAN_LIMIT,
  ledgerEntrySchema,
  type ErrorGroup,
  type FailureQuery,
  type LedgerEntry,
  type LedgerListFilter,
  type LedgerPage,
  type LedgerRepo,
} from '../model/ledger';
import { emptyCounts } from '../model/ledger-rules';
import { causeGroups, failurePage, pageBounds } from '../model/ledger-queries';
import { RuleLedger, type LedgerRule } from '../model/rule-ledger';
import { clampLimit, parseOrThrow } from '../model/validate';
import type { StateKeys } from './keys';
import { casArguments, LEDGER_CAS } from './ledger-index';
import { getManyRaw, parseJson } from './scripts';

const LIST_CHUNK = 200;

/** KEYS: the cause's set, the causes hash. ARGV: cause id. */
const FORGET_CAUSE = `
if redis.call('ZCARD', KEYS[1]) == 0 then redis.call('HDEL', KEYS[2], ARGV[1]) end
return 1
`;

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
    const stats = await this.causeStats();
    // A cause nobody fails for any more leaves the list (lazily: the CAS only maintains the sets),
    // checked again atomically so an entry failing for it meanwhile keeps it listed.
    for (const s of stats.filter((st) => st.count === 0))
      await this.redis.eval(FORGET_CAUSE, 2, this.keys.ledgerCause(s.cause), this.keys.ledgerCauses, s.cause);
    const live = stats.filter((s) => s.count > 0);
    const newest = await this.getMany(live.map((s) => s.sampleReceiptIds[0] ?? ''));
    const groups = live.map(({ meta, ...s }) => ({
      ...s,
      message: newest.get(s.sampleReceiptIds[0] ?? '')?.lastError?.message ?? meta.template ?? '',
      code: meta.code ?? '?',
      template: meta.template ?? '?',
    }));
    return causeGroups(groups, clampLimit(limit, 20, 1000));
  }

  /** Every known cause with its exact count, first and latest error time and newest receipts (one round trip). */
  private async causeStats() {
    const k = this.keys;
    const causes = Object.entries(await this.redis.hgetall(k.ledgerCauses));
    const p = this.redis.pipeline();
    for (const [cause] of causes) {
      p.zcard(k.ledgerCause(cause));
      p.zrange(k.ledgerCause(cause), 0, 0, 'WITHSCORES');
      p.zrevrange(k.ledgerCause(cause), 0, ERROR_SAMPLE_SIZE - 1, 'WITHSCORES');
    }
    const results = ((await p.exec()) ?? []).map(([error, value]) => {
      if (error) throw error;
      return value;
    });
    return causes.map(([cause, meta], i) => {
      const first = results[i * 3 + 1] as string[];
      const newest = results[i * 3 + 2] as string[];
      return {
        cause,
        meta: (parseJson(meta) ?? {}) as { code?: string; template?: string },
        count: Number(results[i * 3]),
        firstAt: new Date(Number(first[1] ?? 0)),
        lastAt: new Date(Number(newest[1] ?? 0)),
        sampleReceiptIds: newest.filter((_, j) => j % 2 === 0),
      };
    });
  }

  async causeEntries(cause: string, page: { offset?: number; limit?: number } = {}): Promise<LedgerPage> {
    const { offset, limit } = pageBounds(page);
    const key = this.keys.ledgerCause(cause);
    const [total, ids] = await Promise.all([
      this.redis.zcard(key),
      this.redis.zrevrange(key, offset, offset + limit - 1),
    ]);
    return { total, entries: await this.inOrder(ids) };
  }

  async stalePending(before: Date, limit: number): Promise<LedgerEntry[]> {
    const ids = await this.redis.zrangebyscore(
      this.keys.ledgerPendingSince,
      '-inf',
      `(${before.getTime()}`,
      'LIMIT',
      0,
      clampLimit(limit, 100, 1000),
    );
    return (await this.inOrder(ids)).filter((e) => e.status === 'pending' && e.updatedAt < before);
  }

  async findByReceiptNo(receiptNo: string): Promise<LedgerEntry[]> {
    if (receiptNo === '') return [];
    return this.inOrder(await this.redis.zrange(this.keys.ledgerReceiptNo(receiptNo), 0, 99));
  }

  async failures(query: FailureQuery): Promise<LedgerPage> {
    const { offset, limit } = pageBounds(query);
    if (query.orderId !== undefined) {
      // An order has a handful of receipts: read them all and filter, still exact.
      const ids = await this.redis.zrange(this.keys.ledgerOrder(query.orderId), 0, ORDER_SCAN_LIMIT - 1);
      return failurePage([...(await this.getMany(ids)).values()], query);
    }
    const key =
      query.code === undefined
        ? this.keys.ledgerFailed(query.status)
        : this.keys.ledgerFailedCode(query.status, query.code);
    const min = query.from === undefined ? '-inf' : String(query.from.getTime());
    const max = query.to === undefined ? '+inf' : String(query.to.getTime());
    const [total, ids] = await Promise.all([
      this.redis.zcount(key, min, max),
      this.redis.zrevrangebyscore(key, max, min, 'LIMIT', offset, limit),
    ]);
    return { total, entries: await this.inOrder(ids) };
  }

  /** Optimistic read → rule → CAS; returns the entry written, or undefined when the rule changed nothing. */
  protected update(receiptId: string, rule: LedgerRule): Promise<LedgerEntry | undefined> {
    const k = this.keys;
    return retryOnConflict(`ledger ${receiptId}`, async () => {
      const raw = await this.redis.get(k.ledgerEntry(receiptId));
      const current = raw === null ? undefined : this.decode(raw, receiptId);
      const next = rule(current);
      if (next === undefined) return undefined;
      const { numKeys, args } = casArguments(k, receiptId, raw, current, next);
      const ok = await this.redis.eval(LEDGER_CAS, numKeys, ...args);
      return ok === 1 ? next : CONFLICT;
    });
  }

  /** Entries for ids in the ids' order; ids whose entry vanished meanwhile are skipped. */
  private async inOrder(ids: readonly string[]): Promise<LedgerEntry[]> {
    const found = await this.getMany(ids);
    return ids.flatMap((id) => found.get(id) ?? []);
  }

  private decode(raw: string, receiptId: string): LedgerEntry {
    return parseOrThrow(ledgerEntrySchema, parseJson(raw), `store ledger entry ${receiptId}`);
  }
}
