import type { Collection, Document } from 'mongodb';
import { isDuplicateKey } from './collections';

/** A claim older than this belongs to a writer that died between its claim and its write. */
const STALE_CLAIM_MS = 3_000;
/** Claims left behind by such writers are deleted after this long. */
const ORPHAN_CLAIM_MS = 3_600_000;

/**
 * Exclusive right to write one revision of one document, for servers whose conditional updates are
 * not atomic. FerretDB v1 evaluates an update's filter and then writes by `_id` in two steps, so two
 * concurrent `replaceOne({ key, rev: 1 })` both match (measured: nine of nine did); only a unique
 * index decides a race there. A claim is an insert of `_id: "<collection>|<key>|<next rev>"`: of
 * concurrent writers of one revision exactly one inserts it. On MongoDB the filtered write itself is
 * atomic and claims are off (`enabled` is set by the store's init from the server's buildInfo).
 */
export class RevisionClaims {
  enabled = false;
  private lastSweep = 0;

  constructor(private readonly collection: Collection<Document>) {}

  /** True when this caller may write the revision; false when another writer holds it. */
  async claim(id: string): Promise<boolean> {
    await this.sweepOrphans();
    if (await this.insert(id)) return true;
    const held = await this.collection.findOne({ _id: id as never });
    if (!held || !(held.at instanceof Date) || Date.now() - held.at.getTime() < STALE_CLAIM_MS) return false;
    // The holder died mid-write: its claim goes, and this writer races the others for a fresh one.
    await this.collection.deleteOne({ _id: id as never, at: held.at });
    return this.insert(id);
  }

  async release(id: string): Promise<void> {
    await this.collection.deleteOne({ _id: id as never });
  }

  private async insert(id: string): Promise<boolean> {
    try {
      await this.collection.insertOne({ _id: id as never, at: new Date() });
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  private async sweepOrphans(): Promise<void> {
    const now = Date.now();
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    await this.collection.deleteMany({ at: { $lt: new Date(now - ORPHAN_CLAIM_MS) } });
  }
}
