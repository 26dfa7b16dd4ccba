import { isStaleVersion, type LedgerEntry, type LedgerRepo } from '@receipt-sync/store';
import { fieldKinds, removedFlagField, type Mapping } from '@receipt-sync/mapping';
import {
  decideListed,
  decideRow,
  isVerdict,
  listedReceiptNo,
  type RehearsalAction,
  type RowToCheck,
  type Verdict,
} from '../decide';
import { ledgerPrevious } from '../decide/row-rules';
import type { ReceiptSource, WindowItem } from '../producer';
import type { RawReceiptJob } from '../queues';
import type { ReceiptInfoSource } from '../transformer';
import { readOrdersBefore, type RowLocator } from '../writer/existing-rows';
import type { LateWrites } from '../writer/late-writes';
import { readSavedState } from '../writer/saved-rows';
import type { K3CloudReader } from '../writer/ports';

/** What a rehearsal reads; nothing here can write (K3Cloud: queries only; the ledger: reads only). */
export interface RehearsalDeps {
  source: ReceiptSource;
  /** Present when bank enrichment is on and the mapping reads `info.` fields (as the transformer's). */
  info?: ReceiptInfoSource;
  k3: K3CloudReader;
  ledger: Pick<LedgerRepo, 'getMany'>;
  mapping: Mapping;
  /** Saves whose answer was lost and may still land: their receipts wait, as the writer keeps them. */
  lateWrites?: Pick<LateWrites, 'heldUntil'>;
  /** XIAOMAN_PAGE_SIZE. */
  pageSize: number;
  /** KINGDEE_BATCH_SIZE: receipts per pair of K3Cloud reads, as the writer batches them. */
  batchSize: number;
  /** KINGDEE_MAX_CONCURRENCY: batches read side by side. */
  concurrency: number;
  onProgress?: (message: string) => void;
}

export interface RehearsalWindow {
  start: string;
  end: string;
}

/** One receipt and what a sync would do to it. */
export interface RehearsalRow extends Verdict {
  receiptId: string;
  receiptNo: string;
  collectionDate: string;
  amount: string;
  currency: string;
  /** OKKI's order id as listed (the verdict's `orderId` is where the row goes). */
  okkiOrderId: string;
  removedInOkki: boolean;
  /** The sales order's number and document status (Z, A, B, C, D) where the row goes. */
  billNo?: string;
  documentStatus?: string;
  /** The orders a move flags, by number. */
  movedFromBillNos?: string[];
}

export type RehearsalTotals = { receipts: number } & Record<RehearsalAction, number>;

export interface RehearsalReport {
  window: RehearsalWindow;
  startedAt: string;
  finishedAt: string;
  rows: RehearsalRow[];
  totals: RehearsalTotals;
}

/**
 * The go-live rehearsal: reads a window from OKKI and the affected sales orders from K3Cloud and
 * decides per receipt what a sync would do, with the pipeline's own rules (../decide). Writes
 * nothing: no save or status call (its K3Cloud port has queries only), no queue job, no ledger
 * entry, no checkpoint. A receipt listed twice (active and removed) is decided on its newest listing.
 */
export async function rehearse(deps: RehearsalDeps, window: RehearsalWindow): Promise<RehearsalReport> {
  const startedAt = new Date().toISOString();
  const say = deps.onProgress ?? (() => undefined);
  const { listed, unreadable } = await readWindow(deps, window);
  say(
    `OKKI: ${listed.length} receipts (${listed.filter((l) => l.removed).length} removed), ${unreadable.length} unreadable`,
  );
  const rows: RehearsalRow[] = unreadable.map(unreadableRow);
  const batches: Array<Array<Pick<RawReceiptJob, 'receipt' | 'removed'>>> = [];
  for (let i = 0; i < listed.length; i += deps.batchSize) batches.push(listed.slice(i, i + deps.batchSize));
  let done = 0;
  await inPool(batches, Math.max(1, deps.concurrency), async (batch) => {
    rows.push(...(await decideBatch(deps, batch)));
    done += batch.length;
    say(`decided ${done} of ${listed.length}`);
  });
  rows.sort((a, b) => a.receiptNo.localeCompare(b.receiptNo) || a.receiptId.localeCompare(b.receiptId));
  return { window, startedAt, finishedAt: new Date().toISOString(), rows, totals: totalsOf(rows) };
}

export function totalsOf(rows: readonly Pick<RehearsalRow, 'action'>[]): RehearsalTotals {
  const totals: RehearsalTotals = {
    receipts: rows.length,
    insert: 0,
    update: 0,
    unchanged: 0,
    'flag-removed': 0,
    move: 0,
    wait: 0,
    quarantine: 0,
  };
  for (const r of rows) totals[r.action] += 1;
  return totals;
}

/** Where receipt rows go, from the mapping (the writer's locator). */
export function rowLocatorOf(mapping: Mapping): RowLocator {
  return {
    formId: mapping.formId,
    entity: mapping.entity,
    rowKeyField: mapping.rowKey.targetField,
    orderKeyField: mapping.order.targetField,
    removedField: removedFlagField(mapping),
  };
}

type Listed = Pick<RawReceiptJob, 'receipt' | 'removed'>;

/** Active then removed receipts of the window, as the producer pages them; the newest listing of each. */
async function readWindow(
  deps: RehearsalDeps,
  window: RehearsalWindow,
): Promise<{ listed: Listed[]; unreadable: Array<Extract<WindowItem, { kind: 'invalid' }>> }> {
  const byId = new Map<string, Listed>();
  const unreadable: Array<Extract<WindowItem, { kind: 'invalid' }>> = [];
  for (const removed of [false, true]) {
    const items = deps.source.iterateWindow({
      startTime: window.start,
      endTime: window.end,
      removed,
      pageSize: deps.pageSize,
    });
    for await (const item of items) {
      if (item.kind === 'invalid') {
        unreadable.push(item);
        continue;
      }
      const id = String(item.receipt.cash_collection_id);
      const seen = byId.get(id);
      const incoming = { sourceVersion: item.receipt.update_time, removed };
      if (!seen || !isStaleVersion({ sourceVersion: seen.receipt.update_time, removed: seen.removed }, incoming))
        byId.set(id, { receipt: item.receipt, removed });
    }
  }
  return { listed: [...byId.values()], unreadable };
}

/** One batch as the pipeline would take it: the ledger, the mapping, then THE reads before and after a save. */
async function decideBatch(deps: RehearsalDeps, batch: Listed[]): Promise<RehearsalRow[]> {
  const ids = batch.map((l) => String(l.receipt.cash_collection_id));
  const entries = await deps.ledger.getMany(ids);
  // A rehearsal reads a whole window: its receipt/info calls wait behind live work, as a backfill's do.
  const info = deps.info;
  const mapDeps = {
    mapping: deps.mapping,
    info: info && { getReceiptInfo: (id: number) => info.getReceiptInfo(id, { lane: 'bulk' as const }) },
  };
  const first = await Promise.all(
    batch.map((l) => decideListed(entries.get(String(l.receipt.cash_collection_id)), l, mapDeps)),
  );
  const toCheck = first.filter((v): v is RowToCheck => !isVerdict(v));
  const locator = rowLocatorOf(deps.mapping);
  const orderIds = [
    ...toCheck.map((r) => r.orderId),
    ...toCheck.flatMap((r) => ledgerPrevious(r, entries.get(r.receiptId))),
  ];
  const before =
    toCheck.length > 0
      ? await readOrdersBefore(
          deps.k3,
          locator,
          [...new Set(orderIds)],
          undefined,
          toCheck.map((r) => r.rowKey),
        )
      : undefined;
  const fids = before ? fidsHolding(before.existing, new Set(toCheck.map((r) => r.rowKey))) : [];
  const fields = [...new Set(toCheck.flatMap((r) => Object.keys(r.fields)))];
  const saved =
    fids.length > 0 ? await readSavedState(deps.k3, locator, fids, fields) : { rows: new Map(), orders: new Map() };
  const heldUntil = toCheck.length > 0 ? await deps.lateWrites?.heldUntil(toCheck.map((r) => r.receiptId)) : undefined;
  const kinds = fieldKinds(deps.mapping);
  return batch.map((l, i) => {
    const v = first[i]!;
    const verdict = isVerdict(v)
      ? v
      : decideRow(v, entries.get(v.receiptId), { before: before!, saved, heldUntil }, locator, kinds);
    return describe(l, verdict, before, entries.get(String(l.receipt.cash_collection_id)));
  });
}

/** The sales orders already carrying a row of one of `rowKeys` (their values show what an update changes). */
function fidsHolding(existing: ReadonlyMap<string, number[]>, rowKeys: ReadonlySet<string>): number[] {
  const fids = new Set<number>();
  for (const slot of existing.keys()) {
    const bar = slot.indexOf('|');
    if (rowKeys.has(slot.slice(bar + 1))) fids.add(Number(slot.slice(0, bar)));
  }
  return [...fids];
}

/** A verdict with what finance reads: the receipt's number, date, money, and the sales order's number and status. */
function describe(
  l: Listed,
  verdict: Verdict,
  before: Awaited<ReturnType<typeof readOrdersBefore>> | undefined,
  entry: LedgerEntry | undefined,
): RehearsalRow {
  const r = l.receipt as Record<string, unknown>;
  const text = (v: unknown) => (v === undefined || v === null ? '' : String(v));
  const fid = verdict.fid ?? (verdict.orderId ? before?.fids.get(verdict.orderId)?.[0] : undefined) ?? entry?.k3Fid;
  return {
    ...verdict,
    receiptId: String(l.receipt.cash_collection_id),
    receiptNo: listedReceiptNo(l.receipt),
    collectionDate: text(r.collection_date),
    amount: text(r.amount),
    currency: text(r.currency),
    okkiOrderId: text(r.order_id),
    removedInOkki: l.removed,
    ...(fid !== undefined && before?.billNos.get(fid) ? { billNo: before.billNos.get(fid) } : {}),
    ...(fid !== undefined && before?.statuses.get(fid) ? { documentStatus: before.statuses.get(fid) } : {}),
    ...(verdict.movedFrom
      ? { movedFromBillNos: verdict.movedFrom.map((m) => before?.billNos.get(m.fid) ?? `FID ${m.fid}`) }
      : {}),
  };
}

/** A list item without a usable id or update_time: the producer quarantines it as unreadable. */
function unreadableRow(item: Extract<WindowItem, { kind: 'invalid' }>): RehearsalRow {
  const raw = (item.raw ?? {}) as Record<string, unknown>;
  const text = (v: unknown) => (v === undefined || v === null ? '' : String(v));
  return {
    action: 'quarantine',
    reason: `OKKI list item unreadable: ${item.issues.join('; ')}`,
    receiptId: text(raw.cash_collection_id),
    receiptNo: text(raw.cash_collection_no),
    collectionDate: text(raw.collection_date),
    amount: text(raw.amount),
    currency: text(raw.currency),
    okkiOrderId: text(raw.order_id),
    removedInOkki: false,
  };
}

/** Runs `work` over `items`, at most `size` at a time. */
async function inPool<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, lane));
}
