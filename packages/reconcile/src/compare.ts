import { diffFields, fieldKinds, isTrue, mapReceipt, removedFlagField, type Mapping } from '@receipt-sync/mapping';
import { because } from './reasons';
import { inWindow, orderIdOf, receiptIdOf, receiptNoOf } from './receipt-identity';
import {
  FINDING_CATEGORIES,
  type Finding,
  type K3CloudRow,
  type LedgerView,
  type OkkiReceipt,
  type ReconcileSnapshot,
} from './types';

export interface Comparison {
  findings: Finding[];
  /** Rows of receipts neither in the window nor in our ledger: not ours, left alone. */
  ignoredRows: number;
}

/** Rows indexed by receipt number, each list ordered by FID then FEntryID. */
class RowIndex {
  private readonly byKey = new Map<string, K3CloudRow[]>();

  constructor(rows: readonly K3CloudRow[]) {
    const sorted = [...rows].sort((a, b) => a.fid - b.fid || a.entryId - b.entryId);
    for (const row of sorted) this.byKey.set(row.rowKey, [...(this.byKey.get(row.rowKey) ?? []), row]);
  }

  withKey(no: string): K3CloudRow[] {
    return this.byKey.get(no) ?? [];
  }

  on(fid: number, no: string): K3CloudRow[] {
    return this.withKey(no).filter((r) => r.fid === fid);
  }

  groups(): IterableIterator<[string, K3CloudRow[]]> {
    return this.byKey.entries();
  }
}

interface Context {
  snapshot: ReconcileSnapshot;
  mapping: Mapping;
  rows: RowIndex;
  kinds: ReturnType<typeof fieldKinds>;
  flag: string | undefined;
  orderOfFid: Map<number, string>;
  findings: Finding[];
}

const ids = (rows: K3CloudRow[]) => rows.map((r) => r.entryId).join(', ');

/**
 * The pure half of reconcile: given what OKKI, K3Cloud and the ledger hold for one window, lists
 * every difference (missing, extra, stale, duplicated, removed-not-flagged, ledger-mismatch).
 * Rows whose receipt number is neither in the window nor in our ledger were not written by us
 * and are ignored.
 */
export function compareSnapshot(snapshot: ReconcileSnapshot, mapping: Mapping): Comparison {
  const orderOfFid = new Map<number, string>();
  for (const [orderId, fid] of snapshot.orders) if (!orderOfFid.has(fid)) orderOfFid.set(fid, orderId);
  const ctx: Context = {
    snapshot,
    mapping,
    rows: new RowIndex(snapshot.rows),
    kinds: fieldKinds(mapping),
    flag: removedFlagField(mapping),
    orderOfFid,
    findings: [],
  };
  const okkiIds = new Set<string>();
  const okkiNos = new Set<string>();
  for (const okki of snapshot.receipts) {
    okkiIds.add(receiptIdOf(okki.receipt));
    const no = receiptNoOf(okki.receipt, mapping);
    if (no !== undefined) okkiNos.add(no);
    compareReceipt(ctx, okki);
  }
  const others = snapshot.ledgerOthers.filter((e) => !okkiIds.has(e.receiptId));
  for (const entry of [
    ...snapshot.ledger.values(),
    ...others.filter((e) => inWindow(e.sourceVersion, snapshot.window)),
  ]) {
    checkLedger(ctx, entry);
  }
  findVanished(ctx, others, okkiNos);

  // receipt number → id, for findings that start from rows (OKKI first, then the ledger)
  const idOfNo = new Map<string, string>();
  for (const e of [...snapshot.ledger.values(), ...others]) if (e.receiptNo) idOfNo.set(e.receiptNo, e.receiptId);
  for (const r of snapshot.receipts) {
    const no = receiptNoOf(r.receipt, mapping);
    if (no !== undefined) idOfNo.set(no, receiptIdOf(r.receipt));
  }
  const ours = new Set(idOfNo.keys());
  let ignoredRows = 0;
  for (const [no, rows] of ctx.rows.groups()) {
    if (!ours.has(no)) {
      ignoredRows += rows.length;
      continue;
    }
    for (const fid of new Set(rows.map((r) => r.fid))) {
      const onOrder = rows.filter((r) => r.fid === fid);
      if (onOrder.length < 2) continue;
      ctx.findings.push({
        category: 'duplicated',
        receiptNo: no,
        receiptId: idOfNo.get(no),
        orderId: orderOfFid.get(fid),
        fid,
        entryIds: onOrder.map((r) => r.entryId),
        ...because('duplicated', {
          rows: onOrder.length,
          field: mapping.rowKey.targetField,
          no,
          fid,
          ids: ids(onOrder),
        }),
      });
    }
  }
  const rank = (f: Finding) => FINDING_CATEGORIES.indexOf(f.category);
  ctx.findings.sort(
    (a, b) => rank(a) - rank(b) || (a.receiptNo < b.receiptNo ? -1 : a.receiptNo > b.receiptNo ? 1 : 0),
  );
  return { findings: ctx.findings, ignoredRows };
}

/** missing, stale, removed-not-flagged and wrong-order rows of one OKKI receipt. */
function compareReceipt(ctx: Context, okki: OkkiReceipt): void {
  const { mapping, snapshot } = ctx;
  const receiptId = receiptIdOf(okki.receipt);
  const no = receiptNoOf(okki.receipt, mapping);
  if (no === undefined) return; // quarantined by the pipeline; nothing in K3Cloud can carry it
  const mapped = mapReceipt({ receipt: okki.receipt, info: okki.info, removed: okki.removed }, mapping);
  const orderId = mapped.ok ? mapped.row.orderKey : orderIdOf(okki.receipt, mapping);
  const fid = orderId === undefined ? undefined : snapshot.orders.get(orderId);
  const ledger = snapshot.ledger.get(receiptId);
  const source = { receipt: okki.receipt, removed: okki.removed };
  const base = { receiptNo: no, receiptId, orderId };
  // A removed receipt whose order is gone is still flagged where we wrote it.
  const homeFid = fid ?? (okki.removed ? ledger?.k3Fid : undefined);
  const home = homeFid === undefined ? [] : ctx.rows.on(homeFid, no);
  const first = home[0];

  if (okki.removed) {
    if (ctx.flag) {
      for (const row of home.filter((r) => !isTrue(r.values[ctx.flag!]))) {
        ctx.findings.push({
          ...base,
          category: 'removed-not-flagged',
          fid: row.fid,
          entryId: row.entryId,
          source,
          ...because('removedNotFlagged', {
            version: String(okki.receipt.update_time),
            flag: ctx.flag,
            value: JSON.stringify(row.values[ctx.flag!] ?? null),
          }),
        });
      }
    }
    if (mapped.ok && first && (!ctx.flag || isTrue(first.values[ctx.flag])))
      pushStale(ctx, base, first, mapped.row.fields, source);
  } else if (mapped.ok && fid !== undefined) {
    if (!first) {
      ctx.findings.push({
        ...base,
        category: 'missing',
        fid,
        source,
        ...because('missing', { fid, field: mapping.rowKey.targetField, no }),
      });
    } else {
      pushStale(ctx, base, first, mapped.row.fields, source);
    }
  }

  if (homeFid === undefined || !ledger) return;
  for (const row of ctx.rows.withKey(no).filter((r) => r.fid !== homeFid)) {
    ctx.findings.push({
      ...base,
      category: 'extra',
      orderId: ctx.orderOfFid.get(row.fid),
      fid: row.fid,
      entryId: row.entryId,
      ...because('extra', { orderId: orderId ?? '?', homeFid, fid: row.fid }),
    });
  }
}

function pushStale(
  ctx: Context,
  base: Pick<Finding, 'receiptNo' | 'receiptId' | 'orderId'>,
  row: K3CloudRow,
  expected: Record<string, unknown>,
  source: Finding['source'],
): void {
  const skip = new Set([ctx.mapping.rowKey.targetField]);
  const fields = diffFields(ctx.kinds, expected, row.values, skip);
  if (fields.length === 0) return;
  ctx.findings.push({
    ...base,
    category: 'stale',
    fid: row.fid,
    entryId: row.entryId,
    fields,
    source,
    ...because('stale', { fields: fields.map((f) => f.field).join(', ') }),
  });
}

/** The ledger says the receipt is written: its row must exist on the FID (and FEntryID) it recorded. */
function checkLedger(ctx: Context, entry: LedgerView): void {
  if ((entry.status !== 'written' && entry.status !== 'unchanged') || entry.k3Fid === undefined || !entry.receiptNo)
    return;
  const base = {
    category: 'ledger-mismatch' as const,
    receiptNo: entry.receiptNo,
    receiptId: entry.receiptId,
    orderId: entry.orderId || undefined,
    fid: entry.k3Fid,
  };
  const onFid = ctx.rows.on(entry.k3Fid, entry.receiptNo);
  if (onFid.length === 0) {
    const elsewhere = ctx.rows.withKey(entry.receiptNo);
    ctx.findings.push({
      ...base,
      entryId: entry.k3EntryId,
      ...(elsewhere.length > 0
        ? because('ledgerElsewhere', { fid: entry.k3Fid, fids: [...new Set(elsewhere.map((r) => r.fid))].join(', ') })
        : because('ledgerNoRow', { fid: entry.k3Fid })),
    });
  } else if (entry.k3EntryId !== undefined && !onFid.some((r) => r.entryId === entry.k3EntryId)) {
    ctx.findings.push({
      ...base,
      entryId: entry.k3EntryId,
      ...because('ledgerEntry', { entryId: entry.k3EntryId, fid: entry.k3Fid, ids: ids(onFid) }),
    });
  }
}

/**
 * Rows of receipts we wrote whose ledger version lies in the window, yet OKKI listed them neither
 * active nor removed: deleted outright in OKKI (or edited after the window and not synced yet).
 */
function findVanished(ctx: Context, others: LedgerView[], okkiNos: Set<string>): void {
  const vanished = new Map<string, LedgerView>();
  for (const e of others) {
    if (
      e.receiptNo &&
      !okkiNos.has(e.receiptNo) &&
      inWindow(e.sourceVersion, ctx.snapshot.window) &&
      !vanished.has(e.receiptNo)
    )
      vanished.set(e.receiptNo, e);
  }
  for (const [no, entry] of vanished) {
    for (const row of ctx.rows.withKey(no)) {
      ctx.findings.push({
        category: 'extra',
        receiptNo: no,
        receiptId: entry.receiptId,
        orderId: ctx.orderOfFid.get(row.fid) ?? (entry.orderId || undefined),
        fid: row.fid,
        entryId: row.entryId,
        ...because('vanished', { version: entry.sourceVersion }),
      });
    }
  }
}
