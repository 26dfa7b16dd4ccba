import type { Collection, Document } from 'mongodb';
import { CONFLICT, retryOnConflict } from '../optimistic';
import { withoutUndefined } from '../model/validate';
import type { RevisionClaims } from './claims';
import { isDuplicateKey } from './collections';

/**
 * Read → decide → compare-and-set on one document, the MongoDB twin of the Redis Lua CAS. Every
 * write bumps `rev`; a replace only matches the `rev` it read, and a first insert is guarded by the
 * collection's unique index, so of two concurrent writers exactly one wins and the other re-decides
 * on fresh data. `decide` returns the next value, or undefined to leave the document alone. With
 * `claims` enabled (servers without atomic conditional updates) a replace also needs the claim of
 * its revision, so it is the only writer of that revision.
 */
export async function casDocument<T extends object>(
  collection: Collection<Document>,
  key: Record<string, string>,
  decode: (doc: Document) => T,
  decide: (current: T | undefined) => T | undefined,
  claims?: RevisionClaims,
): Promise<T | undefined> {
  return retryOnConflict(`${collection.collectionName} ${JSON.stringify(key)}`, async () => {
    const doc = await collection.findOne(key);
    const next = decide(doc ? decode(doc) : undefined);
    if (next === undefined) return undefined;
    const body: Document = { ...withoutUndefined(next), ...key };
    if (!doc) {
      try {
        await collection.insertOne({ ...body, rev: 1 });
        return next;
      } catch (error) {
        if (isDuplicateKey(error)) return CONFLICT;
        throw error;
      }
    }
    // `rev: null` also matches a document that has no rev yet (written by hand or an older version).
    const rev = typeof doc.rev === 'number' ? doc.rev : null;
    const claim = claims?.enabled ? `${collection.collectionName}|${JSON.stringify(key)}|${(rev ?? 0) + 1}` : undefined;
    if (claim !== undefined && !(await claims!.claim(claim))) return CONFLICT;
    try {
      const result = await collection.replaceOne({ ...key, rev }, { ...body, rev: (rev ?? 0) + 1 });
      return result.matchedCount === 1 ? next : CONFLICT;
    } finally {
      if (claim !== undefined) await claims!.release(claim);
    }
  });
}
