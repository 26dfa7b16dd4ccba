import type { LatencyProfile } from './options';

export interface BoundInputs {
  profile: LatencyProfile;
  enrichBank: boolean;
  pageSize: number;
  batchSize: number;
  /** Distinct sales orders per receipt in the data (order lookups are per order, not per receipt). */
  ordersPerReceipt: number;
}

export interface Bound {
  okkiCallsPerReceipt: number;
  okkiReceiptsPerSecond: number;
  /** Milliseconds of one K3Cloud concurrency slot each receipt needs. */
  k3SlotMsPerReceipt: number;
  k3ReceiptsPerSecond: number;
  receiptsPerSecond: number;
  limitedBy: 'OKKI' | 'K3Cloud';
  formula: string[];
}

/** The writer's read-before-write: existing rows before the BatchSave, their FEntryIDs after it. */
export const QUERIES_PER_BATCH = 2;
/** Order ids per ExecuteBillQuery `IN (...)` in the order resolver. */
export const ORDERS_PER_LOOKUP = 200;

const f = (n: number, digits = 1) => n.toFixed(digits);

/**
 * What the caps allow, whatever the implementation:
 *   OKKI:    calls/receipt = 1/pageSize (list) + 1 (receipt/info, when enriching);
 *            receipts/s = rps / calls per receipt.
 *   K3Cloud: a batch of B rows costs 2 queries (L each) + one BatchSave (L + r·B) of one of C slots,
 *            plus one order lookup (L) per 200 distinct orders; receipts/s = C / slot-time per receipt
 *            (= C·B / (3L + r·B) without the lookups).
 * The bound is the smaller of the two.
 */
export function theoreticalBound(input: BoundInputs): Bound {
  const { profile: p, enrichBank, pageSize, batchSize: B, ordersPerReceipt } = input;
  const L = p.k3LatencyMs;
  const r = p.k3PerRowMs;
  const C = p.k3Concurrency;
  const rps = Math.min(p.clientRps, p.okkiMaxPerSecond ?? Number.POSITIVE_INFINITY);
  const okkiCalls = 1 / pageSize + (enrichBank ? 1 : 0);
  const okki = rps / okkiCalls;
  const perBatchMs = QUERIES_PER_BATCH * L + (L + r * B);
  const lookupMs = (ordersPerReceipt / ORDERS_PER_LOOKUP) * L;
  const slotMs = perBatchMs / B + lookupMs;
  const k3 = slotMs > 0 ? (C * 1000) / slotMs : Number.POSITIVE_INFINITY;
  const bound = Math.min(okki, k3);
  const formula = [
    `OKKI    calls/receipt = 1/${pageSize} (list)${enrichBank ? ' + 1 (receipt/info)' : ''} = ${f(okkiCalls, 3)}; ` +
      `${f(rps, 0)} req/s / ${f(okkiCalls, 3)} = ${f(okki)} receipts/s`,
    slotMs > 0
      ? `K3Cloud rows/s = C·B / (3L + r·B) = ${C}·${B} / (3·${L} + ${r}·${B}) ms = ${f((C * B * 1000) / perBatchMs)}; ` +
        `with order lookups (${f(ordersPerReceipt, 2)} orders/receipt, ${ORDERS_PER_LOOKUP} per query, L each): ${f(k3)} receipts/s`
      : 'K3Cloud no latency configured: no bound from the caps',
    `bound = min(${f(okki)}, ${Number.isFinite(k3) ? f(k3) : '∞'}) = ${Number.isFinite(bound) ? f(bound) : '∞'} receipts/s (${okki <= k3 ? 'OKKI' : 'K3Cloud'})`,
  ];
  return {
    okkiCallsPerReceipt: okkiCalls,
    okkiReceiptsPerSecond: okki,
    k3SlotMsPerReceipt: slotMs,
    k3ReceiptsPerSecond: k3,
    receiptsPerSecond: bound,
    limitedBy: okki <= k3 ? 'OKKI' : 'K3Cloud',
    formula,
  };
}
