import { MongoServerError, type Collection, type Db, type Document } from 'mongodb';

/**
 * Collection names carry the prefix (QUEUE_PREFIX), so two deployments sharing one database never
 * see each other's state, exactly as with the Redis backend.
 */
export function stateCollections(db: Db, prefix: string) {
  const c = (name: string): Collection<Document> => db.collection(`${prefix}_${name}`);
  return {
    checkpoints: c('checkpoints'),
    windows: c('windows'),
    ledger: c('ledger'),
    orders: c('order_index'),
    audit: c('audit'),
    history: c('receipt_history'),
    bills: c('order_bills'),
    /** Write claims, on servers without atomic conditional updates only (claims.ts). */
    claims: c('write_claims'),
  };
}

export type StateCollections = ReturnType<typeof stateCollections>;

/**
 * Reads ask for their whole answer in the first batch, so no cursor stays open between two calls:
 * on FerretDB v1 (SQLite) a cursor left open while another client creates or drops a collection
 * deadlocks the server (the DDL waits for the cursor's statement while holding the catalogue lock
 * the cursor's getMore needs). A reply is still capped at 16 MB by the server.
 */
export const ONE_BATCH = 100_000;

/** E11000: a unique index refused the write (two writers raced on an upsert). */
export function isDuplicateKey(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === 11000;
}

/**
 * Deletes everything past the newest `keep` documents by `field` (descending), so the collection
 * stays bounded like the Redis list. Runs after each write; the overflow is one batch at most.
 */
export async function trimToNewest(collection: Collection<Document>, field: string, keep: number): Promise<void> {
  for (;;) {
    const overflow = await collection
      .find({}, { projection: { _id: 1 } })
      .sort({ [field]: -1, _id: -1 })
      .skip(keep)
      .limit(10_000)
      .batchSize(ONE_BATCH)
      .toArray();
    if (overflow.length === 0) return;
    await collection.deleteMany({ _id: { $in: overflow.map((d) => d._id) } });
    if (overflow.length < 10_000) return;
  }
}

/**
 * Deletes the documents whose `field` (a Date) lies before `before()`, at most once per `everyMs`
 * per process: the portable twin of a TTL index, served by the index on `field`.
 */
export function sweepExpired(
  collection: Collection<Document>,
  field: string,
  before: () => Date,
  everyMs = 60_000,
): () => Promise<void> {
  let last = 0;
  return async () => {
    const now = Date.now();
    if (now - last < everyMs) return;
    last = now;
    await collection.deleteMany({ [field]: { $lt: before() } });
  };
}
