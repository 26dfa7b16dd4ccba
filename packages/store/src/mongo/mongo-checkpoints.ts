import type { Collection, Document } from 'mongodb';
import {
  advanceSchema,
  checkpointSchema,
  nextCheckpoint,
  type Checkpoint,
  type CheckpointRepo,
  type TimeInterval,
} from '../model/checkpoint';
import { parseOrThrow } from '../model/validate';
import { casDocument } from './cas';
import type { RevisionClaims } from './claims';

export class MongoCheckpoints implements CheckpointRepo {
  constructor(
    private readonly collection: Collection<Document>,
    private readonly claims?: RevisionClaims,
  ) {}

  async get(stream: string): Promise<Checkpoint | undefined> {
    const doc = await this.collection.findOne({ stream });
    return doc ? this.decode(doc) : undefined;
  }

  async advance(
    stream: string,
    windowEnd: string,
    expectedPrevious: string | undefined,
    completed?: TimeInterval,
  ): Promise<boolean> {
    const input = parseOrThrow(
      advanceSchema,
      { stream, windowEnd, expectedPrevious, completed },
      'store checkpoint advance',
    );
    const written = await casDocument(
      this.collection,
      { stream: input.stream },
      (doc) => this.decode(doc),
      (current) => nextCheckpoint(current, input, new Date()),
      this.claims,
    );
    return written !== undefined;
  }

  private decode(doc: Document): Checkpoint {
    return parseOrThrow(checkpointSchema, doc, `store checkpoint ${String(doc.stream)}`);
  }
}
