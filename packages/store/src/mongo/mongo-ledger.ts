import { RECEIPT_STATUSES, type ReceiptStatus } from '@receipt-sync/core';
import type { Collection, Document, Filter } from 'mongodb';
import { errorCause } from '../model/error-cause';
import {
  ERROR_SAMPLE_SIZE,
  ledgerEntrySchema,
  type ErrorGroup,
  type FailureQuery,
  type LedgerEntry,
  type LedgerListFilter,
  type LedgerPage,
  type LedgerRepo,
} from '../model/ledger';
import { emptyCounts } from '../model/ledger-rules';
import { causeGroups, pageBounds } from '../model/ledger-queries';
import { RuleLedger, type LedgerRule } from '../model/rule-ledger';
import { clampLimit, parseOrThrow } from '../model/validate';
import { casDocument } from './cas';
import { ONE_BATCH } from './collections';
import type { RevisionClaims } from './claims';

const ID_CHUNK = 1000;

/** Same rules as the Redis ledger (model/ledger-rules), applied through a rev-guarded CAS. */
export class MongoLedger extends RuleLedger implements LedgerRepo {
  constructor(
    private readonly collection: Collection<Document>,
    private readonly claims?: RevisionClaims,
  ) {
    super();
  }

  async get(receiptId: string): Promise<LedgerEntry | undefined> {
    const doc = await this.collection.findOne({ receiptId });
    return doc ? this.decode(doc) : undefined;
  }

  async getMany(receiptIds: readonly string[]): Promise<Map<string, LedgerEntry>> {
    const ids = [...new Set(receiptIds)];
    const found = new Map<string, LedgerEntry>();
    for (let i = 0; i < ids.length; i += ID_CHUNK) {
      const docs = await this.collection
        .find({ receiptId: { $in: ids.slice(i, i + ID_CHUNK) } })
        .batchSize(ONE_BATCH)
        .toArray();
      for (const doc of docs) {
        const entry = this.decode(doc);
        found.set(entry.receiptId, entry);
      }
    }
    return found;
  }

  async countByStatus(): Promise<Record<ReceiptStatus, number>> {
    const rows = await this.collection
      .aggregate<{ _id: unknown; n: number }>([{ $group: { _id: '$status', n: { $sum: 1 } } }], {
        batchSize: ONE_BATCH,
      })
      .toArray();
    const counts = emptyCounts();
    for (const row of rows) {
      const status = RECEIPT_STATUSES.find((s) => s === row._id);
      if (status) counts[status] = row.n;
    }
    return counts;
  }

  async list(filter: LedgerListFilter = {}): Promise<LedgerEntry[]> {
    const query: Filter<Document> = {};
    if (filter.status !== undefined) query.status = filter.status;
    if (filter.orderId !== undefined) query.orderId = filter.orderId;
    if (filter.after !== undefined) query.receiptId = { $gt: filter.after };
    // Default (simple) collation compares strings bytewise, the same order as Redis ZRANGEBYLEX.
    const docs = await this.collection
      .find(query)
      .sort({ receiptId: 1 })
      .limit(clampLimit(filter.limit, 100, 1000))
      .batchSize(ONE_BATCH)
      .toArray();
    return docs.map((doc) => this.decode(doc));
  }

  /**
   * Counts per cause with `$group`/`$sum`, then per cause its newest entries (code, message, last
   * time, samples) and its oldest time by two finds on the `error_cause_at` index. `$first`,
   * `$last`, `$min`, `$max` and `$firstN` are left out on purpose: FerretDB has only `$count` and
   * `$sum`, and `$firstN` needs MongoDB 5.2 (docs/operations.md#store-backend).
   */
  async latestErrors(limit: number): Promise<ErrorGroup[]> {
    const counts = await this.collection
      .aggregate<{ _id: unknown; count: number }>(
        [
          { $match: { 'lastError.cause': { $exists: true } } },
          { $group: { _id: '$lastError.cause', count: { $sum: 1 } } },
        ],
        { batchSize: ONE_BATCH },
      )
      .toArray();
    const groups = await Promise.all(
      counts
        .filter((c): c is { _id: string; count: number } => typeof c._id === 'string')
        .map((c) => this.errorGroup(c._id, c.count)),
    );
    return causeGroups(
      groups.filter((g): g is ErrorGroup => g !== undefined),
      clampLimit(limit, 20, 1000),
    );
  }

  private async errorGroup(cause: string, count: number): Promise<ErrorGroup | undefined> {
    const filter = { 'lastError.cause': cause };
    const projection = { _id: 0, receiptId: 1, lastError: 1 };
    const [newest, oldest] = await Promise.all([
      this.collection
        .find(filter, { projection })
        .sort({ 'lastError.at': -1, receiptId: -1 })
        .limit(ERROR_SAMPLE_SIZE)
        .toArray(),
      this.collection.find(filter, { projection }).sort({ 'lastError.at': 1, receiptId: 1 }).limit(1).toArray(),
    ]);
    const latest = newest[0]?.lastError as { code: string; message: string; at: Date } | undefined;
    const first = oldest[0]?.lastError as { at: Date } | undefined;
    // An entry can change between the count and the finds; the next call sees it settled.
    if (!latest || !first) return undefined;
    return {
      cause,
      code: latest.code,
      template: errorCause(latest.code, latest.message).template,
      message: latest.message,
      count,
      firstAt: new Date(first.at),
      lastAt: new Date(latest.at),
      sampleReceiptIds: newest.map((d) => String(d.receiptId)),
    };
  }

  async causeEntries(cause: string, page: { offset?: number; limit?: number } = {}): Promise<LedgerPage> {
    return this.page({ 'lastError.cause': cause }, { 'lastError.at': -1, receiptId: -1 }, pageBounds(page));
  }

  /** Served by the `status_updated_at` index. */
  async stalePending(before: Date, limit: number): Promise<LedgerEntry[]> {
    const docs = await this.collection
      .find({ status: 'pending', updatedAt: { $lt: before } })
      .sort({ updatedAt: 1, receiptId: 1 })
      .limit(clampLimit(limit, 100, 1000))
      .toArray();
    return docs.map((doc) => this.decode(doc));
  }

  async findByReceiptNo(receiptNo: string): Promise<LedgerEntry[]> {
    if (receiptNo === '') return [];
    const docs = await this.collection.find({ receiptNo }).sort({ receiptId: 1 }).limit(100).toArray();
    return docs.map((doc) => this.decode(doc));
  }

  async failures(query: FailureQuery): Promise<LedgerPage> {
    const filter: Filter<Document> = { status: query.status };
    if (query.code !== undefined) filter['lastError.code'] = query.code;
    if (query.orderId !== undefined) filter.orderId = query.orderId;
    if (query.from !== undefined || query.to !== undefined)
      filter.failedAt = {
        ...(query.from === undefined ? {} : { $gte: query.from }),
        ...(query.to === undefined ? {} : { $lte: query.to }),
      };
    return this.page(filter, { failedAt: -1, receiptId: -1 }, pageBounds(query));
  }

  private async page(
    filter: Filter<Document>,
    sort: Record<string, 1 | -1>,
    { offset, limit }: { offset: number; limit: number },
  ): Promise<LedgerPage> {
    const [total, docs] = await Promise.all([
      this.collection.countDocuments(filter),
      this.collection.find(filter).sort(sort).skip(offset).limit(limit).batchSize(ONE_BATCH).toArray(),
    ]);
    return { total, entries: docs.map((doc) => this.decode(doc)) };
  }

  protected update(receiptId: string, rule: LedgerRule): Promise<LedgerEntry | undefined> {
    return casDocument(this.collection, { receiptId }, (doc) => this.decode(doc), rule, this.claims);
  }

  private decode(doc: Document): LedgerEntry {
    return parseOrThrow(ledgerEntrySchema, doc, `store ledger entry ${String(doc.receiptId)}`);
  }
}
