import { formatChinaTime, parseChinaTime } from '@receipt-sync/core';
import type { OkkiReceiptRecord } from '../sample-data';

/** An inclusive update_time window; undefined bound = unbounded (docs/apis/okki.md §4, ASSUMPTION). */
export interface UpdateWindow {
  from?: string;
  to?: string;
}

/** docs/apis/okki.md §4 [INTEG]: update_time DESC; tie-break cash_collection_id DESC (ASSUMPTION). */
function byUpdateTimeDesc(a: OkkiReceiptRecord, b: OkkiReceiptRecord): number {
  if (a.update_time !== b.update_time) return a.update_time < b.update_time ? 1 : -1;
  return b.cash_collection_id - a.cash_collection_id;
}

/**
 * Active and deleted receipts in one map, told apart by the `removed` marker. Queries sort at
 * request time (no cursor snapshot), so edits made while a client pages really shift pages.
 */
export class ReceiptStore {
  private readonly byId = new Map<number, OkkiReceiptRecord>();

  constructor(private readonly now: () => Date) {}

  nowStamp(): string {
    return formatChinaTime(this.now());
  }

  /** Loads a record as it is (seeding): its own update_time is kept. */
  load(record: OkkiReceiptRecord): void {
    this.byId.set(record.cash_collection_id, { ...structuredClone(record), removed: record.removed ?? false });
  }

  /** An edit saved now (or at `updateTime`); an upsert of a deleted receipt restores it. */
  upsert(record: OkkiReceiptRecord, updateTime?: string | Date): OkkiReceiptRecord {
    const stamp =
      updateTime === undefined
        ? this.nowStamp()
        : typeof updateTime === 'string'
          ? updateTime
          : formatChinaTime(updateTime);
    if (!parseChinaTime(stamp)) throw new TypeError(`upsertReceipt: bad update_time ${JSON.stringify(stamp)}`);
    const stored = { ...structuredClone(record), update_time: stamp, removed: false };
    this.byId.set(stored.cash_collection_id, stored);
    return structuredClone(stored);
  }

  /** docs/apis/okki.md §8 (ASSUMPTION): deleting sets update_time = now and moves the record to the removed set. */
  remove(id: number): boolean {
    const r = this.byId.get(id);
    if (!r || r.removed) return false;
    r.removed = true;
    r.update_time = this.nowStamp();
    return true;
  }

  touch(id: number): void {
    const r = this.byId.get(id);
    if (r) r.update_time = this.nowStamp();
  }

  get(id: number): OkkiReceiptRecord | undefined {
    const r = this.byId.get(id);
    return r && structuredClone(r);
  }

  /** Live reference, for rendering only. */
  peekById(id: number): OkkiReceiptRecord | undefined {
    return this.byId.get(id);
  }

  peekByNo(no: string): OkkiReceiptRecord | undefined {
    for (const r of this.byId.values()) if (r.cash_collection_no === no) return r;
    return undefined;
  }

  all(filter?: { removed?: boolean }): OkkiReceiptRecord[] {
    const out: OkkiReceiptRecord[] = [];
    for (const r of this.byId.values()) {
      if (filter?.removed === undefined || Boolean(r.removed) === filter.removed) out.push(structuredClone(r));
    }
    return out;
  }

  /** Matching records sorted as the list endpoint serves them; bounds are inclusive (docs/apis/okki.md §4 [INTEG]). */
  query(window: UpdateWindow, removed: boolean): OkkiReceiptRecord[] {
    const out: OkkiReceiptRecord[] = [];
    for (const r of this.byId.values()) {
      if (Boolean(r.removed) !== removed) continue;
      if (window.from !== undefined && r.update_time < window.from) continue;
      if (window.to !== undefined && r.update_time > window.to) continue;
      out.push(r);
    }
    return out.sort(byUpdateTimeDesc);
  }
}
