import type { Collection, Document } from 'mongodb';
import { clampLimit, parseOrThrow } from '../model/validate';
import {
  newWindowSchema,
  openedWindow,
  patchedWindow,
  windowPatchSchema,
  windowRecordSchema,
  type NewWindow,
  type WindowPatch,
  type WindowRecord,
  type WindowRepo,
} from '../model/window';
import { casDocument } from './cas';
import type { RevisionClaims } from './claims';
import { isDuplicateKey, ONE_BATCH, trimToNewest } from './collections';

export class MongoWindows implements WindowRepo {
  constructor(
    private readonly collection: Collection<Document>,
    private readonly limit: number,
    private readonly claims?: RevisionClaims,
  ) {}

  async open(window: NewWindow): Promise<void> {
    const w = openedWindow(parseOrThrow(newWindowSchema, window, 'store window open'), new Date());
    try {
      // $setOnInsert: opening an existing id keeps the stored record, like Redis SET NX.
      const result = await this.collection.updateOne(
        { id: w.id },
        { $setOnInsert: { ...w, rev: 1 } },
        { upsert: true },
      );
      if (result.upsertedCount === 0) return;
    } catch (error) {
      if (isDuplicateKey(error)) return;
      throw error;
    }
    await trimToNewest(this.collection, 'startedAt', this.limit);
  }

  async update(id: string, patch: WindowPatch): Promise<void> {
    const p = parseOrThrow(windowPatchSchema, patch, `store window ${id}`);
    await casDocument(
      this.collection,
      { id },
      (doc) => this.decode(doc),
      (current) => patchedWindow(current, id, p),
      this.claims,
    );
  }

  async get(id: string): Promise<WindowRecord | undefined> {
    const doc = await this.collection.findOne({ id });
    return doc ? this.decode(doc) : undefined;
  }

  async latest(limit: number): Promise<WindowRecord[]> {
    const docs = await this.collection
      .find({})
      .sort({ startedAt: -1, _id: -1 })
      .limit(clampLimit(limit, 20, 1000))
      .batchSize(ONE_BATCH)
      .toArray();
    return docs.map((doc) => this.decode(doc));
  }

  private decode(doc: Document): WindowRecord {
    return parseOrThrow(windowRecordSchema, doc, `store window ${String(doc.id)}`);
  }
}
