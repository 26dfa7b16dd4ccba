import type { AnyBulkWriteOperation, Collection, Document } from 'mongodb';
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
    const ops: AnyBulkWriteOperation<Document>[] = versions.map((input) => {
      const v = parseOrThrow(newVersionSchema, input, `store receipt version ${input.receiptId}`);
      const version = versionField(v);
      return {
        updateOne: {
          filter: { receiptId: v.receiptId, version },
          // $setOnInsert: a version seen again keeps its first sighting.
          update: { $setOnInsert: withoutUndefined({ ...v, version, seenAt: v.seenAt ?? now }) },
          upsert: true,
        },
      };
    });
    await this.collection.bulkWrite(ops, { ordered: false });
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
