import { InvalidInputError } from '@receipt-sync/core';
import { parseChinaTime } from '@receipt-sync/core';
import { mapReceipt, needsEnrichment, type Mapping } from '@receipt-sync/mapping';
import { queryPages } from '@receipt-sync/k3cloud';
import { inWindow, orderIdOf, receiptIdOf, receiptNoOf } from './receipt-identity';
import type {
  BillQueryPort,
  K3CloudRow,
  LedgerPort,
  LedgerView,
  OkkiReceipt,
  ReceiptInfoPort,
  ReceiptSourcePort,
  ReconcileSnapshot,
  ReconcileWindow,
} from './types';

export interface ReconcileDeps {
  source: ReceiptSourcePort;
  k3: BillQueryPort;
  ledger: LedgerPort;
  mapping: Mapping;
  /** When given and the mapping reads `info.` fields, bank details are fetched and compared too. */
  info?: ReceiptInfoPort;
  /** OKKI list page size (XIAOMAN_PAGE_SIZE). @defaultValue 100 */
  pageSize?: number;
  /**
   * Walk the whole ledger for receipts written with a version inside the window, so a receipt
   * deleted outright in OKKI is found even when no other receipt of the window shares its order.
   * Costs one ledger page per 1000 entries; false limits the ledger read to the window's orders.
   * @defaultValue true
   */
  scanLedger?: boolean;
  /** Progress for people (stderr in the CLI). */
  onProgress?: (message: string) => void;
}

const CHUNK = 200;
const LEDGER_PAGE = 1000;

/** Refuses a window that is not two `YYYY-MM-DD HH:mm:ss` stamps in order. */
export function checkWindow(window: ReconcileWindow): void {
  const issues: string[] = [];
  for (const key of ['from', 'to'] as const) {
    if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(window[key]) || !parseChinaTime(window[key])) {
      issues.push(`${key} must be 'YYYY-MM-DD HH:mm:ss' (Asia/Shanghai), got ${JSON.stringify(window[key])}`);
    }
  }
  if (issues.length === 0 && window.from > window.to) issues.push('from must not be after to');
  if (issues.length > 0) throw new InvalidInputError('reconcile window', issues);
}

/** The I/O half of reconcile: reads OKKI, K3Cloud and the ledger for one window. */
export async function gatherSnapshot(deps: ReconcileDeps, window: ReconcileWindow): Promise<ReconcileSnapshot> {
  checkWindow(window);
  const say = deps.onProgress ?? (() => undefined);
  const { receipts, invalid } = await readOkki(deps, window);
  say(`OKKI: ${receipts.length} receipts (${receipts.filter((r) => r.removed).length} removed), ${invalid} unreadable`);
  const ledger =
    receipts.length > 0
      ? await deps.ledger.getMany(receipts.map((r) => receiptIdOf(r.receipt)))
      : new Map<string, LedgerView>();

  const orderIds = new Set<string>();
  for (const r of receipts) {
    const id = orderIdOf(r.receipt, deps.mapping);
    if (id !== undefined) orderIds.add(id);
  }
  const orders = await resolveOrders(deps.k3, deps.mapping, [...orderIds]);
  say(`K3Cloud: ${orders.size} of ${orderIds.size} sales orders found`);

  const ledgerOthers = await readOtherLedgerEntries(deps, window, ledger, orderIds);
  const fids = new Set<number>(orders.values());
  for (const e of [...ledger.values(), ...ledgerOthers.filter((o) => inWindow(o.sourceVersion, window))]) {
    if (e.k3Fid !== undefined) fids.add(e.k3Fid);
  }
  const rows = await readRows(deps.k3, deps.mapping, [...fids]);
  say(`K3Cloud: ${rows.length} receipt rows on ${fids.size} sales orders`);
  if (deps.info && needsEnrichment(deps.mapping)) {
    // bank details only matter where a row exists to compare them with (one OKKI call per receipt)
    const keys = new Set(rows.map((r) => r.rowKey));
    await enrich(
      deps.info,
      deps.mapping,
      receipts.filter((r) => keys.has(receiptNoOf(r.receipt, deps.mapping) ?? '')),
    );
  }
  return { window, receipts, invalid, orders, rows, ledger, ledgerOthers };
}

/** Active then removed receipts of the window; a receipt listed twice keeps its newest listing. */
async function readOkki(
  deps: ReconcileDeps,
  window: ReconcileWindow,
): Promise<{ receipts: OkkiReceipt[]; invalid: number }> {
  const byId = new Map<string, OkkiReceipt>();
  let invalid = 0;
  for (const removed of [false, true]) {
    const items = deps.source.iterateWindow({
      startTime: window.from,
      endTime: window.to,
      removed,
      pageSize: deps.pageSize ?? 100,
    });
    for await (const item of items) {
      if (item.kind === 'invalid') {
        invalid += 1;
        continue;
      }
      const id = String(item.receipt.cash_collection_id);
      const seen = byId.get(id);
      // removed wins a tie: the removed list is the later state (docs/apis/okki.md §8)
      if (!seen || String(seen.receipt.update_time) <= item.receipt.update_time)
        byId.set(id, { receipt: item.receipt, removed });
    }
  }
  return { receipts: [...byId.values()], invalid };
}

/** OKKI order_id → FID, like the transformer's OrderResolver (header fields only, `IN` chunks). */
export async function resolveOrders(
  k3: BillQueryPort,
  mapping: Mapping,
  orderIds: string[],
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const field = mapping.order.targetField;
  for (let i = 0; i < orderIds.length; i += CHUNK) {
    const chunk = orderIds.slice(i, i + CHUNK);
    // ids are digits only (orderIdOf), so the quoted list cannot break out of the filter
    const rows = await queryPages((q) => k3.executeBillQuery(q), {
      formId: mapping.formId,
      fieldKeys: `FID,${field}`,
      filterString: `${field} IN (${chunk.map((id) => `'${id}'`).join(',')})`,
      orderString: 'FID ASC',
    });
    for (const [fid, key] of rows) {
      const fidNumber = Number(fid);
      const orderId = String(key ?? '').trim();
      if (!Number.isInteger(fidNumber) || fidNumber <= 0 || orderId === '') continue;
      const known = out.get(orderId);
      if (known === undefined || fidNumber < known) out.set(orderId, fidNumber); // the writer uses the lowest FID too
    }
  }
  return out;
}

/** Every field the mapping writes, plus FID, FEntryID and the row key (docs/apis/k3cloud.md §6 `<Entity>_FEntryID`). */
export function rowFieldKeys(mapping: Mapping): string[] {
  const fields = [...new Set(mapping.fields.map((f) => f.target))].filter((f) => f !== mapping.rowKey.targetField);
  return ['FID', `${mapping.entity}_FEntryID`, mapping.rowKey.targetField, ...fields];
}

export async function readRows(k3: BillQueryPort, mapping: Mapping, fids: number[]): Promise<K3CloudRow[]> {
  const keys = rowFieldKeys(mapping);
  const valueKeys = keys.slice(3);
  const unique = [...new Set(fids)].filter((f) => Number.isInteger(f) && f > 0).sort((a, b) => a - b);
  const out: K3CloudRow[] = [];
  for (let i = 0; i < unique.length; i += CHUNK) {
    const rows = await queryPages((q) => k3.executeBillQuery(q), {
      formId: mapping.formId,
      fieldKeys: keys.join(','),
      filterString: `FID IN (${unique.slice(i, i + CHUNK).join(',')})`,
      orderString: `FID ASC,${mapping.entity}_FEntryID ASC`,
    });
    for (const row of rows) {
      const [fid, entryId, rowKey] = row;
      const entry = Number(entryId);
      // an order without receipt rows comes back once with an empty entry part
      if (!Number.isInteger(entry) || entry <= 0 || rowKey === null || rowKey === undefined || rowKey === '') continue;
      const values: Record<string, unknown> = {};
      valueKeys.forEach((key, k) => (values[key] = row[k + 3] ?? null));
      out.push({ fid: Number(fid), entryId: entry, rowKey: String(rowKey), values });
    }
  }
  return out;
}

async function listAll(ledger: LedgerPort, filter: { orderId?: string }): Promise<LedgerView[]> {
  const out: LedgerView[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await ledger.list({ ...filter, limit: LEDGER_PAGE, ...(after === undefined ? {} : { after }) });
    out.push(...page);
    if (page.length < LEDGER_PAGE) return out;
    after = page[page.length - 1]!.receiptId;
  }
}

/** Ledger entries of other receipts on the window's orders (and, when asked, the whole ledger in the window). */
async function readOtherLedgerEntries(
  deps: ReconcileDeps,
  window: ReconcileWindow,
  known: Map<string, LedgerView>,
  okkiOrderIds: Set<string>,
): Promise<LedgerView[]> {
  const orderIds = new Set([...okkiOrderIds, ...[...known.values()].map((e) => e.orderId).filter(Boolean)]);
  const byId = new Map<string, LedgerView>();
  const keep = (e: LedgerView) => {
    if (!known.has(e.receiptId)) byId.set(e.receiptId, e);
  };
  for (const orderId of orderIds) for (const e of await listAll(deps.ledger, { orderId })) keep(e);
  if (deps.scanLedger !== false)
    for (const e of await listAll(deps.ledger, {})) if (inWindow(e.sourceVersion, window)) keep(e);
  return [...byId.values()];
}

/** Bank details for receipts that map; a failed lookup leaves them out of the comparison. */
async function enrich(info: ReceiptInfoPort, mapping: Mapping, receipts: OkkiReceipt[]): Promise<void> {
  for (const r of receipts) {
    if (!mapReceipt({ receipt: r.receipt, removed: r.removed }, mapping).ok) continue;
    try {
      r.info = await info.getReceiptInfo(Number(r.receipt.cash_collection_id));
    } catch {
      // the enrichment fields are then omitted by the mapping and not compared
    }
  }
}
