import { formatChinaTime, parseChinaTime } from '@receipt-sync/core';
import type { OkkiReceiptRecord } from '../sample-data';

/** How a change stamps update_time (see `ReceiptStore.stampFor`). */
export interface StampOptions {
  updateTime?: string | Date;
  keepUpdateTime?: boolean;
}

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

  /**
   * The update_time a change gets: `updateTime` when given, the record's current stamp with
   * `keepUpdateTime` (a second change within the same second, or a removal that leaves the stamp),
   * else now.
   */
  stampFor(id: number, stamp: StampOptions = {}): string {
    if (stamp.keepUpdateTime) {
      if (stamp.updateTime !== undefined) throw new TypeError('give updateTime or keepUpdateTime, not both');
      const current = this.byId.get(id);
      if (!current) throw new TypeError(`keepUpdateTime: receipt ${id} does not exist yet`);
      return current.update_time;
    }
    const value = stamp.updateTime;
    const text = value === undefined ? this.nowStamp() : typeof value === 'string' ? value : formatChinaTime(value);
    if (!parseChinaTime(text)) throw new TypeError(`bad update_time ${JSON.stringify(text)}`);
    return text;
  }

  /** An edit saved with the stamp of `stampFor`; an upsert of a deleted receipt restores it. */
  upsert(record: OkkiReceiptRecord, stamp?: StampOptions): OkkiReceiptRecord {
    const stored = {
      ...structuredClone(record),
      update_time: this.stampFor(record.cash_collection_id, stamp),
      removed: false,
    };
    this.byId.set(stored.cash_collection_id, stored);
    return structuredClone(stored);
  }

  /**
   * docs/apis/okki.md §8: moves the record to the removed set. ASSUMPTION: by default the removal
   * stamps update_time = now; `keepUpdateTime` models a removal that leaves the old stamp.
   */
  remove(id: number, stamp?: StampOptions): boolean {
    const r = this.byId.get(id);
    if (!r || r.removed) return false;
    r.update_time = this.stampFor(id, stamp);
    r.removed = true;
    return true;
  }

  /** Brings a deleted record back to the active set (ASSUMPTION: with a new stamp unless told otherwise). */
  restore(id: number, stamp?: StampOptions): OkkiReceiptRecord | undefined {
    const r = this.byId.get(id);
    if (!r?.removed) return undefined;
    r.update_time = this.stampFor(id, stamp);
    r.removed = false;
    return structuredClone(r);
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
