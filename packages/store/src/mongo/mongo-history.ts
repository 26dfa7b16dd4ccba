import { MongoBulkWriteError, type Collection, type Document } from 'mongodb';
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
import { ONE_BATCH } from './collections';

/** Documents `{ receiptId, version, updateTime, removed, source, seenAt, windowId? }`, unique per (receiptId, version). */
export class MongoHistory implements ReceiptHistoryRepo {
  constructor(private readonly collection: Collection<Document>) {}

  async record(versions: readonly NewReceiptVersion[]): Promise<void> {
    if (versions.length === 0) return;
    const now = new Date();
    const docs = versions.map((input) => {
      const v = parseOrThrow(newVersionSchema, input, `store receipt version ${input.receiptId}`);
      return withoutUndefined({ ...v, version: versionField(v), seenAt: v.seenAt ?? now });
    });
    await insertNew(this.collection, docs);
    // One query finds the receipts over the limit (rare: a receipt edited more than 50 times).
    const over = await this.collection
      .aggregate<{ _id: string }>(
        [
          { $match: { receiptId: { $in: [...new Set(versions.map((v) => v.receiptId))] } } },
          { $group: { _id: '$receiptId', n: { $sum: 1 } } },
          { $match: { n: { $gt: HISTORY_LIMIT } } },
        ],
        { batchSize: ONE_BATCH },
      )
      .toArray();
    for (const { _id } of over) await this.trim(_id);
  }

  async list(receiptId: string): Promise<ReceiptVersion[]> {
    const docs = await this.collection
      .find({ receiptId })
      .limit(HISTORY_LIMIT * 2)
      .batchSize(ONE_BATCH)
      .toArray();
    return newestFirst(docs.map((d) => parseOrThrow(storedVersionSchema, d, `store receipt version ${receiptId}`)));
  }

  private async trim(receiptId: string): Promise<void> {
    const excess = await this.collection
      .find({ receiptId }, { projection: { _id: 1 } })
      .sort({ version: -1 })
      .skip(HISTORY_LIMIT)
      .batchSize(ONE_BATCH)
      .toArray();
    if (excess.length > 0) await this.collection.deleteMany({ _id: { $in: excess.map((d) => d._id) } });
  }
}

/**
 * Inserts every version not stored yet; the unique (receiptId, version) index refuses the others, so
 * a version seen again keeps its first sighting. One insert command, where a bulk of upserts would be
 * one update statement per version: FerretDB v1 holds a SQLite connection for each statement of a
 * command until the command ends, and a page of 100 versions exhausted its pool of 100.
 */
async function insertNew(collection: Collection<Document>, docs: Document[]): Promise<void> {
  try {
    await collection.insertMany(docs, { ordered: false });
  } catch (error) {
    const errors = error instanceof MongoBulkWriteError ? [error.writeErrors].flat() : undefined;
    if (!errors || errors.length === 0 || errors.some((e) => e.code !== 11000)) throw error;
  }
}
