import type { Collection, Document, Filter } from 'mongodb';
import type { ApiCallRecord } from '@receipt-sync/core';
import { BufferedAuditSink, type AuditSinkTuning } from '../audit-sink';
import {
  apiCallRecordSchema,
  SUBJECT_AUDIT_LIMIT,
  type AuditFilter,
  type AuditRepo,
  type AuditSink,
} from '../model/audit';
import { clampLimit, parseOrThrow, withoutUndefined } from '../model/validate';
import { ONE_BATCH, sweepExpired, trimToNewest } from './collections';

/**
 * `at` is stored as a Date so records expire after `ttlDays` (the TTL index where the server has
 * one, and a sweep at most once a minute on every server); on top of that the collection is trimmed
 * to the newest `limit` records after each append, like the Redis list.
 */
export class MongoAudit implements AuditRepo {
  private bufferedSink: BufferedAuditSink | undefined;
  private readonly sweep: () => Promise<void>;

  constructor(
    private readonly collection: Collection<Document>,
    private readonly limit: number,
    ttlDays: number,
    private readonly sinkTuning: AuditSinkTuning = {},
  ) {
    this.sweep = sweepExpired(collection, 'at', () => new Date(Date.now() - ttlDays * 86_400_000));
  }

  async append(records: readonly ApiCallRecord[]): Promise<void> {
    if (records.length === 0) return;
    const docs = records.map((r) => ({ ...withoutUndefined({ ...r }), at: toDate(r.at) }));
    await this.collection.insertMany(docs, { ordered: false });
    await trimToNewest(this.collection, 'at', this.limit);
    await this.sweep();
  }

  async recent(limit: number, filter: AuditFilter = {}): Promise<ApiCallRecord[]> {
    const query: Filter<Document> = {};
    if (filter.system !== undefined) query.system = filter.system;
    if (filter.outcome !== undefined) query.outcome = filter.outcome;
    const docs = await this.collection
      .find(query, { projection: { _id: 0 } })
      .sort({ at: -1, _id: -1 })
      .limit(clampLimit(limit, 100, this.limit))
      .batchSize(ONE_BATCH)
      .toArray();
    return docs.map(decode);
  }

  /** Served by the multikey index `subjects_at`. */
  async forSubject(subject: string, limit = SUBJECT_AUDIT_LIMIT): Promise<ApiCallRecord[]> {
    const docs = await this.collection
      .find({ subjects: subject }, { projection: { _id: 0, subjects: 0 } })
      .sort({ at: -1, _id: -1 })
      .limit(clampLimit(limit, SUBJECT_AUDIT_LIMIT, SUBJECT_AUDIT_LIMIT))
      .batchSize(ONE_BATCH)
      .toArray();
    return docs.map(decode);
  }

  sink(): AuditSink {
    this.bufferedSink ??= new BufferedAuditSink({ ...this.sinkTuning, write: (batch) => this.append(batch) });
    return this.bufferedSink;
  }

  async closeSink(): Promise<void> {
    await this.bufferedSink?.close();
  }
}

function decode(doc: Document): ApiCallRecord {
  return parseOrThrow(
    apiCallRecordSchema,
    { ...doc, at: doc.at instanceof Date ? doc.at.toISOString() : doc.at },
    'store audit record',
  );
}

/** A record whose `at` does not parse still needs a Date for the TTL index; it is kept as "now". */
function toDate(iso: string): Date {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? new Date() : d;
}
