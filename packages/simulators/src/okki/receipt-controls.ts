import type { OkkiOrderInfo, OkkiReceiptRecord } from '../sample-data';
import type { OkkiFaults } from './faults';
import type { InfoFailureAnswer } from './info-failures';
import type { PushDispatcher } from './push';
import type { ReceiptStore, StampOptions } from './receipt-store';

/**
 * What a person does to receipts in OKKI, as tests and demos drive it. Every change stamps
 * update_time per `StampOptions` (default now; `keepUpdateTime` leaves the current stamp: a second
 * change within the same second) and pushes its event to a subscribed callback (docs/apis/okki.md §12).
 */
export interface ReceiptControls {
  /** Saves an edit (push create/update): update_time = `updateTime`, the current stamp (`keepUpdateTime`) or now; restores a deleted receipt. */
  upsertReceipt(receipt: OkkiReceiptRecord, options?: StampOptions): OkkiReceiptRecord;
  /** Changes some fields of a stored receipt, like upsertReceipt (push update). */
  editReceipt(id: number, changes: Partial<OkkiReceiptRecord>, options?: StampOptions): OkkiReceiptRecord;
  /** Deletes (docs/apis/okki.md §8): to the removed set, update_time = now unless told otherwise (push delete). */
  removeReceipt(id: number, options?: StampOptions): boolean;
  /** Brings a deleted receipt back, same id and content, update_time = now unless told otherwise (push update). */
  restoreReceipt(id: number, options?: StampOptions): OkkiReceiptRecord;
  /**
   * Links the receipt to another OKKI order (`order_id`, list-shaped `order_info`), or unlinks it with
   * 0 (`order_info` `[]`). The order's info is copied from another receipt of that order unless given.
   */
  relinkReceipt(id: number, orderId: number, options?: StampOptions & { orderInfo?: OkkiOrderInfo }): OkkiReceiptRecord;
  /** `receipt/info` of this receipt fails `calls` times (default: until stopFailingReceiptInfo), with `answer`. */
  failReceiptInfo(id: number, options?: { calls?: number; answer?: InfoFailureAnswer }): void;
  stopFailingReceiptInfo(id: number): void;
}

function orderInfoFor(store: ReceiptStore, orderId: number, given?: OkkiOrderInfo): OkkiOrderInfo | [] {
  if (orderId === 0) return [];
  if (given) return structuredClone(given);
  const sibling = store.all().find((r) => r.order_id === orderId && !Array.isArray(r.order_info));
  if (!sibling) throw new TypeError(`relinkReceipt: no receipt carries order ${orderId}; pass options.orderInfo`);
  return sibling.order_info as OkkiOrderInfo;
}

export function receiptControls(store: ReceiptStore, push: PushDispatcher, faults: OkkiFaults): ReceiptControls {
  const existing = (id: number, what: string): OkkiReceiptRecord => {
    const r = store.get(id);
    if (!r) throw new TypeError(`${what}: no receipt ${id}`);
    return r;
  };
  const upsertReceipt = (r: OkkiReceiptRecord, o?: StampOptions): OkkiReceiptRecord => {
    const before = store.peekById(r.cash_collection_id);
    const saved = store.upsert(r, o);
    push.receiptEvent(before && !before.removed ? 'update' : 'create', saved.cash_collection_id);
    return saved;
  };
  const stampOnly = (o?: StampOptions): StampOptions | undefined =>
    o && { updateTime: o.updateTime, keepUpdateTime: o.keepUpdateTime };
  return {
    upsertReceipt,
    editReceipt: (id, changes, o) =>
      upsertReceipt({ ...existing(id, 'editReceipt'), ...changes, cash_collection_id: id }, o),
    removeReceipt: (id, o) => {
      const removed = store.remove(id, o);
      if (removed) push.receiptEvent('delete', id);
      return removed;
    },
    restoreReceipt: (id, o) => {
      const restored = store.restore(id, o);
      if (!restored) throw new TypeError(`restoreReceipt: receipt ${id} is not deleted`);
      // ASSUMPTION: no restore event is documented; the receipt keeps its id, so OKKI's `update` is the nearest.
      push.receiptEvent('update', id);
      return restored;
    },
    relinkReceipt: (id, orderId, o) => {
      const record = existing(id, 'relinkReceipt');
      const orderInfo = orderInfoFor(store, orderId, o?.orderInfo);
      return upsertReceipt({ ...record, order_id: orderId, order_info: orderInfo }, stampOnly(o));
    },
    failReceiptInfo: (id, o) => {
      const list = faults.receiptInfoFailures;
      const others = list.filter((f) => f.receiptId !== id);
      list.splice(0, list.length, ...others, { receiptId: id, calls: o?.calls, answer: o?.answer ?? { code: 500 } });
    },
    stopFailingReceiptInfo: (id) => {
      const list = faults.receiptInfoFailures;
      list.splice(0, list.length, ...list.filter((f) => f.receiptId !== id));
    },
  };
}
