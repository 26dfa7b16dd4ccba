import { MongoServerError, type Collection, type Db, type Document, type IndexDescription } from 'mongodb';

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
  };
}

export type StateCollections = ReturnType<typeof stateCollections>;

/** E11000: a unique index refused the write (two writers raced on an upsert). */
export function isDuplicateKey(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === 11000;
}

/** IndexOptionsConflict: same keys, other options (a changed TTL). */
const INDEX_OPTIONS_CONFLICT = 85;

/**
 * Creates a TTL index, or changes its expiry with collMod when it already exists with another
 * one (createIndex alone would fail with IndexOptionsConflict after `auditTtlDays` changes).
 */
async function ensureTtlIndex(
  db: Db,
  collection: Collection<Document>,
  field: string,
  name: string,
  seconds: number,
): Promise<void> {
  try {
    await collection.createIndex({ [field]: 1 }, { name, expireAfterSeconds: seconds });
  } catch (error) {
    if (!(error instanceof MongoServerError && error.code === INDEX_OPTIONS_CONFLICT)) throw error;
    await db.command({ collMod: collection.collectionName, index: { name, expireAfterSeconds: seconds } });
  }
}

async function ensure(collection: Collection<Document>, indexes: IndexDescription[]): Promise<void> {
  await collection.createIndexes(indexes);
}

/**
 * Every index the backend relies on. createIndexes with identical specs is a no-op, so this is
 * idempotent. Collections are prepared in parallel, but each collection's indexes one after the
 * other, so two implicit creations of the same new collection never race.
 */
export async function ensureIndexes(db: Db, c: StateCollections, auditTtlDays: number): Promise<void> {
  await Promise.all([
    ensure(c.checkpoints, [{ key: { stream: 1 }, name: 'stream_unique', unique: true }]),
    ensure(c.windows, [
      { key: { id: 1 }, name: 'id_unique', unique: true },
      // Serves latest() and trimToNewest(), which both sort by (startedAt, _id) descending.
      { key: { startedAt: -1, _id: -1 }, name: 'started_at' },
    ]),
    ensure(c.ledger, [
      // One entry per receipt: the unique index is what makes concurrent first writes safe.
      { key: { receiptId: 1 }, name: 'receipt_id_unique', unique: true },
      { key: { status: 1, receiptId: 1 }, name: 'status_receipt_id' },
      { key: { status: 1, updatedAt: 1, receiptId: 1 }, name: 'status_updated_at' },
      { key: { orderId: 1, receiptId: 1 }, name: 'order_id_receipt_id' },
      { key: { 'lastError.code': 1 }, name: 'last_error_code' },
      { key: { 'lastError.at': -1 }, name: 'last_error_at' },
      // Receipt search, errors grouped by cause, and the paged dead-letter / quarantine lists.
      { key: { receiptNo: 1 }, name: 'receipt_no' },
      { key: { 'lastError.cause': 1, 'lastError.at': -1, receiptId: -1 }, name: 'error_cause_at' },
      { key: { status: 1, failedAt: -1, receiptId: -1 }, name: 'status_failed_at' },
      { key: { status: 1, 'lastError.code': 1, failedAt: -1, receiptId: -1 }, name: 'status_code_failed_at' },
    ]),
    ensure(c.bills, [{ key: { billNo: 1 }, name: 'bill_no_unique', unique: true }]),
    ensure(c.history, [{ key: { receiptId: 1, version: 1 }, name: 'receipt_version_unique', unique: true }]),
    (async () => {
      await ensure(c.orders, [{ key: { orderId: 1 }, name: 'order_id_unique', unique: true }]);
      await ensureTtlIndex(db, c.orders, 'expireAt', 'expire_at_ttl', 0);
    })(),
    (async () => {
      await ensure(c.audit, [
        { key: { at: -1, _id: -1 }, name: 'recent' },
        { key: { system: 1, outcome: 1, at: -1 }, name: 'system_outcome_at' },
        { key: { subjects: 1, at: -1 }, name: 'subjects_at' },
      ]);
      await ensureTtlIndex(db, c.audit, 'at', 'at_ttl', auditTtlDays * 86_400);
    })(),
  ]);
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
      .toArray();
    if (overflow.length === 0) return;
    await collection.deleteMany({ _id: { $in: overflow.map((d) => d._id) } });
    if (overflow.length < 10_000) return;
  }
}
