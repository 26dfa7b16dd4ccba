import { MongoServerError, type Collection, type Db, type Document, type IndexDescription } from 'mongodb';
import type { StateCollections } from './collections';

/** An index the backend relies on; `ttlSeconds`: a TTL index where the server has them. */
export interface RequiredIndex {
  collection: keyof StateCollections;
  index: IndexDescription & { name: string };
  ttlSeconds?: number;
}

/** Every index the backend relies on, in the order each collection's indexes are created. */
export function requiredIndexes(auditTtlDays: number): RequiredIndex[] {
  const on = (collection: keyof StateCollections, ...indexes: Array<IndexDescription & { name: string }>) =>
    indexes.map((index) => ({ collection, index }));
  return [
    ...on('checkpoints', { key: { stream: 1 }, name: 'stream_unique', unique: true }),
    ...on(
      'windows',
      { key: { id: 1 }, name: 'id_unique', unique: true },
      // Serves latest() and trimToNewest(), which both sort by (startedAt, _id) descending.
      { key: { startedAt: -1, _id: -1 }, name: 'started_at' },
    ),
    ...on(
      'ledger',
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
    ),
    ...on('bills', { key: { billNo: 1 }, name: 'bill_no_unique', unique: true }),
    ...on('history', { key: { receiptId: 1, version: 1 }, name: 'receipt_version_unique', unique: true }),
    // The order lookup by F_Cash_Collection_Id (the seed's `_mongoQuery`), one entry per order.
    ...on('orders', { key: { orderId: 1 }, name: 'order_id_unique', unique: true }),
    { collection: 'orders', index: { key: { expireAt: 1 }, name: 'expire_at_ttl' }, ttlSeconds: 0 },
    ...on(
      'audit',
      { key: { at: -1, _id: -1 }, name: 'recent' },
      { key: { system: 1, outcome: 1, at: -1 }, name: 'system_outcome_at' },
      { key: { subjects: 1, at: -1 }, name: 'subjects_at' },
    ),
    { collection: 'audit', index: { key: { at: 1 }, name: 'at_ttl' }, ttlSeconds: auditTtlDays * 86_400 },
    // Creates the claims collection at start-up (no implicit creation later) and serves its sweep.
    ...on('claims', { key: { at: 1 }, name: 'at' }),
  ];
}

/** IndexOptionsConflict: same keys, other options (a changed TTL). */
const INDEX_OPTIONS_CONFLICT = 85;
/** NotImplemented: FerretDB (and other MongoDB-wire servers) without TTL indexes. */
const NOT_IMPLEMENTED = 238;
/** NamespaceNotFound: listIndexes on a collection that does not exist yet. */
const NAMESPACE_NOT_FOUND = 26;

/** A collection's indexes by name; none when the collection does not exist yet. */
export async function existingIndexes(collection: Collection<Document>): Promise<Map<string, Document>> {
  try {
    const indexes = await collection.listIndexes().toArray();
    return new Map(indexes.map((i) => [String(i.name), i]));
  } catch (error) {
    if (error instanceof MongoServerError && error.code === NAMESPACE_NOT_FOUND) return new Map();
    throw error;
  }
}

/**
 * Creates a TTL index, or changes its expiry with collMod when it already exists with another
 * one (createIndex alone would fail with IndexOptionsConflict after `auditTtlDays` changes). A
 * server without TTL indexes gets a plain index of the same name: expiry then rests on the
 * backend's own sweeps (`sweepExpired`), which run on every server anyway, and reads never rely on
 * either (they filter on the expiry themselves).
 */
async function ensureTtlIndex(db: Db, collection: Collection<Document>, spec: RequiredIndex): Promise<void> {
  const { key, name } = spec.index;
  try {
    await collection.createIndex(key, { name, expireAfterSeconds: spec.ttlSeconds });
  } catch (error) {
    if (error instanceof MongoServerError && error.code === NOT_IMPLEMENTED) {
      await collection.createIndex(key, { name });
      return;
    }
    if (!(error instanceof MongoServerError && error.code === INDEX_OPTIONS_CONFLICT)) throw error;
    await db.command({ collMod: collection.collectionName, index: { name, expireAfterSeconds: spec.ttlSeconds } });
  }
}

/**
 * Creates every index the backend relies on that is missing, one createIndexes call each: FerretDB
 * v1.24 drops the connection on a call naming two or more indexes that already exist, and one
 * index per call is valid on every server. TTL indexes are always (re)applied so a changed expiry
 * takes effect. Idempotent; collections are prepared in parallel, each collection's indexes one
 * after the other, so two implicit creations of the same new collection never race.
 */
export async function ensureIndexes(
  db: Db,
  c: StateCollections,
  auditTtlDays: number,
  /** False on servers without TTL indexes (FerretDB): a TTL index is then a plain one, created once. */
  ttlIndexes = true,
): Promise<void> {
  const byCollection = new Map<keyof StateCollections, RequiredIndex[]>();
  for (const spec of requiredIndexes(auditTtlDays))
    byCollection.set(spec.collection, [...(byCollection.get(spec.collection) ?? []), spec]);
  await Promise.all(
    [...byCollection].map(async ([name, specs]) => {
      const existing = await existingIndexes(c[name]);
      for (const spec of specs) {
        // Index DDL only when something is missing or a TTL changed: on FerretDB, DDL takes a
        // server-wide lock, so a start-up beside busy replicas must not issue it needlessly.
        const found = existing.get(spec.index.name);
        if (spec.ttlSeconds !== undefined && ttlIndexes) {
          if (found?.expireAfterSeconds !== spec.ttlSeconds) await ensureTtlIndex(db, c[name], spec);
        } else if (!found) await c[name].createIndexes([spec.index]);
      }
    }),
  );
}

/** What `doctor` reports: required indexes absent, or without `unique` where they need it, out of `required`. */
export async function missingIndexes(
  c: StateCollections,
  auditTtlDays: number,
): Promise<{ missing: string[]; required: number }> {
  const specs = requiredIndexes(auditTtlDays);
  const missing: string[] = [];
  const seen = new Map<keyof StateCollections, Map<string, Document>>();
  for (const spec of specs) {
    if (!seen.has(spec.collection)) seen.set(spec.collection, await existingIndexes(c[spec.collection]));
    const found = seen.get(spec.collection)!.get(spec.index.name);
    const where = `${c[spec.collection].collectionName}.${spec.index.name}`;
    if (!found) missing.push(where);
    else if (spec.index.unique && found.unique !== true) missing.push(`${where} (not unique)`);
  }
  return { missing, required: specs.length };
}
