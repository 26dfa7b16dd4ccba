import { DEFAULT_MAPPING, fieldKinds, mapReceipt, normalizeValue, type Mapping } from '@receipt-sync/mapping';

/**
 * The model-based test's oracle: what finance must find in K3Cloud's F_PBLH_Entity once every sync
 * has finished, whatever order OKKI's edits and the faults came in (docs/testing.md). It is one pure
 * function over the final OKKI receipts and the final K3Cloud sales orders, so it is unit-tested on
 * its own (oracle.test.ts) and never reads a log.
 */

/** An OKKI receipt as the simulator holds it: the list item plus the info extras, `removed` marked. */
export type OkkiReceipt = Record<string, unknown> & { cash_collection_id: number; cash_collection_no: string };
export type K3Row = Record<string, unknown> & { FEntryID: number };
export type K3Bill = Record<string, unknown> & { FID: number; F_Cash_Collection_Id?: unknown; F_PBLH_Entity?: K3Row[] };

export interface OracleInput {
  /** Every receipt OKKI has ever held in the timeline, active and deleted, in their final state. */
  receipts: OkkiReceipt[];
  /** Every sales order of K3Cloud in its final state. */
  bills: K3Bill[];
  /** Rows of receipts the service never owned, as they were before the first sync: receipt no → JSON of its rows. */
  foreignBefore: Map<string, string>;
  /**
   * Every active content each receipt had during the timeline (oldest first). A receipt whose latest
   * content the request filter refuses may keep the row of one of its earlier contents.
   */
  history: Map<string, OkkiReceipt[]>;
  mapping?: Mapping;
}

export interface Violation {
  receiptNo: string;
  /** Which outcome of the operating contract it breaks, in a few words. */
  outcome: string;
  detail: string;
}

/** The K3Cloud site's request filter rule: `<` followed by a letter, `/`, `!` or `?` (docs/simulators.md). */
export const REQUEST_FILTER_TRIGGER = /<[A-Za-z/!?]/;

const ROW_KEY = 'F_PBLH_CashCollectionNo';
const REMOVED = 'F_PBLH_Removed';

interface Placed {
  fid: number;
  orderKey: string;
  row: K3Row;
}

function isRemovedRow(row: K3Row): boolean {
  return normalizeValue('bool', row[REMOVED]) === 'true';
}

/** What a correct sync must do with one receipt, from its final OKKI state. */
export type Expectation =
  | { kind: 'active'; orderKey: string; fields: Record<string, unknown> }
  | { kind: 'none'; why: string }
  | { kind: 'held-back'; orderKey: string }
  | { kind: 'unconstrained'; why: string };

export function expectationFor(receipt: OkkiReceipt, orderKeys: Set<string>, mapping: Mapping): Expectation {
  if (receipt.removed === true) return { kind: 'none', why: 'deleted in OKKI' };
  const orderId = Number(receipt.order_id ?? 0);
  if (!orderId) return { kind: 'none', why: 'unlinked in OKKI (order_id 0)' };
  const orderKey = String(orderId);
  // A missing sales order waits, then is dead-lettered: not modelled (the generators never link to one).
  if (!orderKeys.has(orderKey)) return { kind: 'unconstrained', why: `order ${orderKey} not in K3Cloud` };
  const mapped = mapReceipt({ receipt, info: receipt, removed: false }, mapping);
  if (!mapped.ok) return { kind: 'unconstrained', why: `quarantined: ${mapped.problems.map((p) => p.rule).join(',')}` };
  const trips = Object.values(mapped.row.fields).some((v) => typeof v === 'string' && REQUEST_FILTER_TRIGGER.test(v));
  if (trips) return { kind: 'held-back', orderKey };
  return { kind: 'active', orderKey, fields: mapped.row.fields };
}

/** Fields of `row` that differ from `fields` after K3Cloud's own normalisation; empty when equal. */
export function differences(row: K3Row, fields: Record<string, unknown>, mapping: Mapping): string[] {
  const kinds = fieldKinds(mapping);
  const out: string[] = [];
  for (const [field, value] of Object.entries(fields)) {
    const kind = kinds.get(field) ?? 'text';
    const actual = normalizeValue(kind, row[field]);
    const expected = normalizeValue(kind, value);
    if (actual !== expected) out.push(`${field}: ${JSON.stringify(row[field])} ≠ ${JSON.stringify(value)}`);
  }
  return out;
}

function rowsByReceipt(bills: K3Bill[]): Map<string, Placed[]> {
  const out = new Map<string, Placed[]>();
  for (const bill of bills) {
    for (const row of bill.F_PBLH_Entity ?? []) {
      const no = String(row[ROW_KEY]);
      const placed = { fid: bill.FID, orderKey: String(bill.F_Cash_Collection_Id), row };
      out.set(no, [...(out.get(no) ?? []), placed]);
    }
  }
  return out;
}

function describeRows(rows: Placed[]): string {
  return rows
    .map((p) => `FID ${p.fid} (order ${p.orderKey}) entry ${p.row.FEntryID}${isRemovedRow(p.row) ? ' removed' : ''}`)
    .join('; ');
}

function checkReceipt(
  receipt: OkkiReceipt,
  rows: Placed[],
  orderKeys: Set<string>,
  input: OracleInput,
  mapping: Mapping,
): Violation[] {
  const no = receipt.cash_collection_no;
  const v = (outcome: string, detail: string): Violation => ({ receiptNo: no, outcome, detail });
  const out: Violation[] = [];
  const live = rows.filter((p) => !isRemovedRow(p.row));
  const perOrder = new Map<number, number>();
  for (const p of rows) perOrder.set(p.fid, (perOrder.get(p.fid) ?? 0) + 1);
  for (const [fid, n] of perOrder)
    if (n > 1) out.push(v('one row per receipt and order', `${n} rows on FID ${fid}: ${describeRows(rows)}`));
  if (live.length > 1)
    out.push(v('active on exactly one order, or on none', `${live.length} active rows: ${describeRows(live)}`));

  const expectation = expectationFor(receipt, orderKeys, mapping);
  switch (expectation.kind) {
    case 'none':
      if (live.length > 0)
        out.push(
          v(
            `${expectation.why} → no active row`,
            `still active: ${describeRows(live)} (all rows: ${describeRows(rows)})`,
          ),
        );
      break;
    case 'active': {
      const mine = live.filter((p) => p.orderKey === expectation.orderKey);
      if (mine.length === 0) {
        out.push(
          v(
            'written on its order',
            `no active row on order ${expectation.orderKey}; rows: ${describeRows(rows) || 'none'}`,
          ),
        );
        break;
      }
      const elsewhere = live.filter((p) => p.orderKey !== expectation.orderKey);
      if (elsewhere.length > 0)
        out.push(v('re-linked → flagged removed on the old order', `still active: ${describeRows(elsewhere)}`));
      const diff = differences(mine[0]!.row, expectation.fields, mapping);
      if (diff.length > 0) out.push(v('latest content written', diff.join('; ')));
      break;
    }
    case 'held-back': {
      // Only that receipt is held back: no active row, or one row of an earlier, good content.
      if (live.length !== 1) break;
      const earlier = (input.history.get(no) ?? [])
        .map((r) => expectationFor(r, orderKeys, mapping))
        .filter((e): e is Extract<Expectation, { kind: 'active' }> => e.kind === 'active');
      const matches = earlier.some(
        (e) => e.orderKey === live[0]!.orderKey && differences(live[0]!.row, e.fields, mapping).length === 0,
      );
      if (!matches)
        out.push(
          v(
            'held back by the request filter → last good row unchanged',
            `row ${describeRows(live)} matches no earlier content`,
          ),
        );
      break;
    }
    case 'unconstrained':
      break;
  }
  return out;
}

/** Every way the final K3Cloud state breaks the contract's outcomes; empty when it holds. */
export function checkFinalState(input: OracleInput): Violation[] {
  const mapping = input.mapping ?? DEFAULT_MAPPING;
  const byNo = rowsByReceipt(input.bills);
  const orderKeys = new Set(input.bills.map((b) => String(b.F_Cash_Collection_Id)));
  const ours = new Set(input.receipts.map((r) => r.cash_collection_no));
  const out: Violation[] = [];
  for (const receipt of input.receipts)
    out.push(...checkReceipt(receipt, byNo.get(receipt.cash_collection_no) ?? [], orderKeys, input, mapping));
  for (const [no, before] of input.foreignBefore) {
    const now = JSON.stringify(byNo.get(no) ?? []);
    if (now !== before)
      out.push({
        receiptNo: no,
        outcome: 'rows the service does not own untouched',
        detail: `was ${before}, now ${now}`,
      });
  }
  for (const no of byNo.keys())
    if (!ours.has(no) && !input.foreignBefore.has(no))
      out.push({ receiptNo: no, outcome: 'no row of an unknown receipt', detail: describeRows(byNo.get(no)!) });
  return out;
}

/** How many receipts of the final state the oracle holds to each expectation (a run that checked nothing proves nothing). */
export function expectationCounts(input: OracleInput): Record<Expectation['kind'], number> {
  const mapping = input.mapping ?? DEFAULT_MAPPING;
  const orderKeys = new Set(input.bills.map((b) => String(b.F_Cash_Collection_Id)));
  const counts = { active: 0, none: 0, 'held-back': 0, unconstrained: 0 };
  for (const r of input.receipts) counts[expectationFor(r, orderKeys, mapping).kind] += 1;
  return counts;
}

/** The foreign rows of a K3Cloud state (receipts not in `ours`), in the form `foreignBefore` takes. */
export function foreignRowsOf(bills: K3Bill[], ours: Set<string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [no, rows] of rowsByReceipt(bills)) if (!ours.has(no)) out.set(no, JSON.stringify(rows));
  return out;
}
