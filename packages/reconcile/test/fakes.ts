/** In-memory stand-ins for OKKI, K3Cloud and the ledger, as reconcile reads them. */
import type { BillQueryPort, LedgerPort, LedgerView, ReceiptSourcePort, SourceItem } from '../src/types';
import { k3Row } from './fixtures';

type Query = Parameters<BillQueryPort['executeBillQuery']>[0];

/**
 * A K3Cloud that answers the two queries reconcile makes from an in-memory table of orders: the
 * order lookup by F_Cash_Collection_Id and the row read by FID, paged by startRow/limit.
 */
export function fakeK3(orders: Array<{ fid: number; orderId: string; rows: Array<Record<string, unknown>> }>) {
  const queries: Query[] = [];
  const k3: BillQueryPort = {
    async executeBillQuery(q) {
      queries.push(q);
      const inList = (/IN \(([^)]*)\)/.exec(q.filterString)?.[1] ?? '')
        .split(',')
        .map((s) => s.trim().replace(/'/g, ''));
      const keys = q.fieldKeys.split(',');
      let out: unknown[][];
      if (q.filterString.startsWith('F_Cash_Collection_Id')) {
        out = orders.filter((o) => inList.includes(o.orderId)).map((o) => [o.fid, o.orderId]);
      } else {
        out = orders
          .filter((o) => inList.includes(String(o.fid)))
          .flatMap((o) =>
            (o.rows.length ? o.rows : [{}]).map((r) => keys.map((k) => (k === 'FID' ? o.fid : (r[k] ?? null)))),
          );
      }
      return out.slice(q.startRow ?? 0, (q.startRow ?? 0) + (q.limit ?? out.length));
    },
  };
  return { k3, queries };
}

export function k3Record(
  r: Record<string, unknown>,
  entryId: number,
  values: Record<string, unknown> = {},
): Record<string, unknown> {
  const row = k3Row(r, entryId, { values });
  return { F_PBLH_Entity_FEntryID: entryId, F_PBLH_CashCollectionNo: row.rowKey, ...row.values };
}

export function source(
  active: Array<Record<string, unknown>>,
  removed: Array<Record<string, unknown>> = [],
  invalid = 0,
): ReceiptSourcePort {
  return {
    async *iterateWindow(args) {
      const list = args.removed ? removed : active;
      for (const r of list) yield { kind: 'receipt', receipt: r } as SourceItem;
      if (!args.removed)
        for (let i = 0; i < invalid; i++) yield { kind: 'invalid', raw: {}, issues: ['cash_collection_id: required'] };
    },
  };
}

export function ledger(entries: LedgerView[]): LedgerPort & { lists: unknown[] } {
  const lists: unknown[] = [];
  return {
    lists,
    async getMany(ids) {
      return new Map(entries.filter((e) => ids.includes(e.receiptId)).map((e) => [e.receiptId, e]));
    },
    async list(filter = {}) {
      lists.push(filter);
      return entries
        .filter((e) => filter.orderId === undefined || e.orderId === filter.orderId)
        .filter((e) => filter.after === undefined || e.receiptId > filter.after)
        .sort((a, b) => (a.receiptId < b.receiptId ? -1 : 1))
        .slice(0, filter.limit ?? 100);
    },
  };
}
