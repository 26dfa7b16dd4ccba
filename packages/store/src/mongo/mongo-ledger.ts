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

const ID_CHUNK = 1000;

/** Same rules as the Redis ledger (model/ledger-rules), applied through a rev-guarded CAS. */
export class MongoLedger extends RuleLedger implements LedgerRepo {
  constructor(private readonly collection: Collection<Document>) {
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
      const docs = await this.collection.find({ receiptId: { $in: ids.slice(i, i + ID_CHUNK) } }).toArray();
      for (const doc of docs) {
        const entry = this.decode(doc);
        found.set(entry.receiptId, entry);
      }
    }
    return found;
  }

  async countByStatus(): Promise<Record<ReceiptStatus, number>> {
    const rows = await this.collection
      .aggregate<{ _id: unknown; n: number }>([{ $group: { _id: '$status', n: { $sum: 1 } } }])
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
      .toArray();
    return docs.map((doc) => this.decode(doc));
  }

  /** Served by the `error_cause_at` index; `$firstN` needs MongoDB 5.2 or newer. */
  async latestErrors(limit: number): Promise<ErrorGroup[]> {
    const rows = await this.collection
      .aggregate<{
        _id: string;
        code: string;
        message: string;
        count: number;
        firstAt: Date;
        lastAt: Date;
        samples: string[];
      }>([
        { $match: { 'lastError.cause': { $exists: true } } },
        { $sort: { 'lastError.cause': 1, 'lastError.at': -1, receiptId: -1 } },
        {
          $group: {
            _id: '$lastError.cause',
            code: { $first: '$lastError.code' },
            message: { $first: '$lastError.message' },
            count: { $sum: 1 },
            lastAt: { $first: '$lastError.at' },
            firstAt: { $last: '$lastError.at' },
            samples: { $firstN: { input: '$receiptId', n: ERROR_SAMPLE_SIZE } },
          },
        },
      ])
      .toArray();
    return causeGroups(
      rows.map((r) => ({
        cause: r._id,
        code: r.code,
        template: errorCause(r.code, r.message).template,
        message: r.message,
        count: r.count,
        firstAt: new Date(r.firstAt),
        lastAt: new Date(r.lastAt),
        sampleReceiptIds: r.samples,
      })),
      clampLimit(limit, 20, 1000),
    );
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
      this.collection.find(filter).sort(sort).skip(offset).limit(limit).toArray(),
    ]);
    return { total, entries: docs.map((doc) => this.decode(doc)) };
  }

  protected update(receiptId: string, rule: LedgerRule): Promise<LedgerEntry | undefined> {
    return casDocument(this.collection, { receiptId }, (doc) => this.decode(doc), rule);
  }

  private decode(doc: Document): LedgerEntry {
    return parseOrThrow(ledgerEntrySchema, doc, `store ledger entry ${String(doc.receiptId)}`);
  }
}
