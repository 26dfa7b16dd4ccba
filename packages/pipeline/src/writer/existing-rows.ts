import { k3In, queryPages } from '@receipt-sync/k3cloud';
import { isTrue } from '@receipt-sync/mapping';
import type { K3CloudReader } from './ports';

export interface RowLocator {
  formId: string;
  entity: string;
  rowKeyField: string;
  /** Header field holding the OKKI order id (F_Cash_Collection_Id). */
  orderKeyField: string;
  /** The row's removed flag (F_PBLH_Removed), when the mapping has one: set on a moved receipt's previous row. */
  removedField?: string;
}

/** (FID, row key) → FEntryIDs of rows already in K3Cloud, lowest first. */
export type ExistingRows = Map<string, number[]>;

/** What the one query before a save found: each order id's sales orders (FIDs, lowest first) and their receipt rows. */
export interface OrdersBefore {
  fids: Map<string, number[]>;
  /** FID → the sales order's number (FBillNo), for the order index and the receipt page. */
  billNos: Map<number, string>;
  /** FID → its FDocumentStatus as read before the save (Z, A, B, C, D), for the receipt page. */
  statuses: Map<number, string>;
  existing: ExistingRows;
  /**
   * Row key → every row of the receipt not flagged removed, on any sales order (the same query finds
   * them by receipt number): where a moved receipt still counts, whatever the ledger knows.
   */
  activeRows: Map<string, Array<{ orderId: string; fid: number; entryId: number }>>;
  /** Row keys the query asked for on every order (receipt numbers safe to quote in a filter). */
  searched: Set<string>;
}

/** Receipt numbers of letters, digits and `_-./` only go into a filter (no quoting, nothing the request filter minds). */
const SAFE_KEY = /^[A-Za-z0-9_./-]{1,80}$/;

export const rowSlot = (fid: number, rowKey: string): string => `${fid}|${rowKey}`;

const CHUNK = 200;

/**
 * THE read before a BatchSave: one query (per 200 orders) by `F_Cash_Collection_Id IN (…)` that
 * resolves every order id of the batch to its FID and returns the receipt rows those orders
 * already carry. The rows make every save an upsert keyed on the receipt number: a retry after an
 * ambiguous failure (save applied, answer lost) finds its row and updates it instead of appending
 * a duplicate.
 * The entry key alias `<Entity>_FEntryID` follows docs/apis/k3cloud.md §6 (custom-entity naming UNVERIFIED).
 */
export async function readOrdersBefore(
  k3: K3CloudReader,
  locator: RowLocator,
  orderIds: string[],
  /** Receipt and order ids the read is for, for the audit trail. */
  subjects?: readonly string[],
  /** The batch's receipt numbers: their rows on any other order come back too (moves). */
  rowKeys: readonly string[] = [],
): Promise<OrdersBefore> {
  const out: OrdersBefore = {
    fids: new Map(),
    billNos: new Map(),
    statuses: new Map(),
    existing: new Map(),
    activeRows: new Map(),
    searched: new Set(),
  };
  // Digits only (ReadyRowSchema), so the quoted list cannot break out of the filter.
  const unique = [...new Set(orderIds)].filter((o) => /^\d+$/.test(o) && o !== '0');
  const keys = locator.removedField ? [...new Set(rowKeys)].filter((k) => SAFE_KEY.test(k)) : [];
  const removedKey = locator.removedField ? `,${locator.removedField}` : '';
  // A batch of removals that name no order still asks once, by receipt number alone.
  for (let i = 0; i < Math.max(unique.length, keys.length > 0 ? 1 : 0); i += CHUNK) {
    const chunk = unique.slice(i, i + CHUNK);
    const byOrder = chunk.length > 0 ? `${locator.orderKeyField} IN (${chunk.map((o) => `'${o}'`).join(',')})` : '';
    // The first query also finds the batch's receipts on other orders (ASSUMPTION: K3Cloud's
    // filter joins header and entry fields with OR as SQL does; docs/apis/k3cloud.md §6).
    const byKey = i === 0 && keys.length > 0 ? k3In(locator.rowKeyField, keys) : '';
    if (byKey) for (const k of keys) out.searched.add(k);
    const rows = await queryPages((q) => k3.executeBillQuery(q, subjects), {
      formId: locator.formId,
      fieldKeys: `FID,FBillNo,${locator.orderKeyField},${locator.entity}_FEntryID,${locator.rowKeyField},FDocumentStatus${removedKey}`,
      filterString: byOrder && byKey ? `(${byOrder}) OR ${byKey}` : byOrder || byKey,
      orderString: `FID ASC,${locator.entity}_FEntryID ASC`,
    });
    for (const [fidValue, billNo, orderKey, entryId, rowKey, status, removed] of rows) {
      const fid = Number(fidValue);
      if (!Number.isInteger(fid) || fid <= 0) continue;
      noteHeader(out, fid, billNo, status);
      const orderId = String(orderKey ?? '');
      if (byKey) noteActive(out, fid, orderId, Number(entryId), rowKey, removed);
      const fids = out.fids.get(orderId) ?? [];
      if (!fids.includes(fid))
        out.fids.set(
          orderId,
          [...fids, fid].sort((a, b) => a - b),
        );
      const entry = Number(entryId);
      if (!entry || rowKey === null || rowKey === undefined || rowKey === '') continue;
      const slot = rowSlot(fid, String(rowKey));
      const list = out.existing.get(slot) ?? [];
      list.push(entry);
      list.sort((a, b) => a - b);
      out.existing.set(slot, list);
    }
  }
  await confirmAbsent(k3, locator, unique, out, subjects);
  return out;
}

/** A row of a searched receipt not flagged removed: the payment counts on that order. */
function noteActive(
  out: OrdersBefore,
  fid: number,
  orderId: string,
  entryId: number,
  rowKey: unknown,
  removed: unknown,
) {
  if (!entryId || typeof rowKey !== 'string' || !out.searched.has(rowKey) || isTrue(removed)) return;
  out.activeRows.set(rowKey, [...(out.activeRows.get(rowKey) ?? []), { orderId, fid, entryId }]);
}

/** Keeps an order's number and document status, when K3Cloud gave them. */
function noteHeader(out: OrdersBefore, fid: number, billNo: unknown, status: unknown): void {
  if (typeof billNo === 'string' && billNo !== '') out.billNos.set(fid, billNo);
  if (typeof status === 'string' && status !== '') out.statuses.set(fid, status);
}

/**
 * Order ids the combined query did not answer are asked once more with header keys only, so an
 * order without receipt rows is never taken for a missing one should K3Cloud leave bills without
 * entry rows out of a header-and-entry query (docs/apis/k3cloud.md §6, unverified). Costs a query
 * only for a batch holding an order that looked missing.
 */
async function confirmAbsent(
  k3: K3CloudReader,
  locator: RowLocator,
  orderIds: string[],
  out: OrdersBefore,
  subjects?: readonly string[],
) {
  const absent = orderIds.filter((o) => !out.fids.has(o));
  for (let i = 0; i < absent.length; i += CHUNK) {
    const chunk = absent.slice(i, i + CHUNK);
    const rows = await queryPages((q) => k3.executeBillQuery(q, subjects), {
      formId: locator.formId,
      fieldKeys: `FID,FBillNo,${locator.orderKeyField},FDocumentStatus`,
      filterString: `${locator.orderKeyField} IN (${chunk.map((o) => `'${o}'`).join(',')})`,
      orderString: 'FID ASC',
    });
    for (const [fidValue, billNo, orderKey, status] of rows) {
      const fid = Number(fidValue);
      if (!Number.isInteger(fid) || fid <= 0) continue;
      noteHeader(out, fid, billNo, status);
      const orderId = String(orderKey ?? '');
      out.fids.set(
        orderId,
        [...new Set([...(out.fids.get(orderId) ?? []), fid])].sort((a, b) => a - b),
      );
    }
  }
}

/**
 * The FID a row of `orderId` goes to: the FID it was already written to when that sales order
 * still carries the order id, else the lowest FID.
 */
export function fidFor(before: OrdersBefore, orderId: string, hint: number | undefined): number | undefined {
  const fids = before.fids.get(orderId);
  if (!fids || fids.length === 0) return undefined;
  return hint !== undefined && fids.includes(hint) ? hint : fids[0];
}
