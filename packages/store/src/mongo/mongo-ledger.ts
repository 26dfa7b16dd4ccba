import { RECEIPT_STATUSES, type ReceiptStatus } from '@receipt-sync/core';
import type { Collection, Document, Filter } from 'mongodb';
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

  async latestErrors(limit: number): Promise<ErrorGroup[]> {
    const docs = await this.collection
      .find({ lastError: { $exists: true } })
      .sort({ 'lastError.at': -1 })
      .limit(ERROR_SCAN_LIMIT)
      .toArray();
    return groupErrors(
      docs.map((doc) => this.decode(doc)),
      clampLimit(limit, 20, 1000),
    );
  }

  protected update(receiptId: string, rule: LedgerRule): Promise<LedgerEntry | undefined> {
    return casDocument(this.collection, { receiptId }, (doc) => this.decode(doc), rule);
  }

  private decode(doc: Document): LedgerEntry {
    return parseOrThrow(ledgerEntrySchema, doc, `store ledger entry ${String(doc.receiptId)}`);
  }
}
