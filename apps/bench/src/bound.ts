import type { LatencyProfile } from './options';

export interface BoundInputs {
  profile: LatencyProfile;
  enrichBank: boolean;
  pageSize: number;
  batchSize: number;
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

/**
 * The writer's two reads per BatchSave: before it (order ids → FIDs and existing rows, which is
 * also every order lookup), and the verifying read after it (FEntryIDs of new rows).
 */
export const QUERIES_PER_BATCH = 2;

const f = (n: number, digits = 1) => n.toFixed(digits);

/**
 * What the caps allow, whatever the implementation:
 *   OKKI:    calls/receipt = 1/pageSize (list) + 1 (receipt/info, when enriching);
 *            receipts/s = rps / calls per receipt.
 *   K3Cloud: a batch of B rows costs 2 queries (L each, the order lookups among them) + one
 *            BatchSave (L + r·B) of one of C slots; receipts/s = C / slot-time per receipt
 *            = C·B / (3L + r·B).
 * The bound is the smaller of the two.
 */
export function theoreticalBound(input: BoundInputs): Bound {
  const { profile: p, enrichBank, pageSize, batchSize: B } = input;
  const L = p.k3LatencyMs;
  const r = p.k3PerRowMs;
  const C = p.k3Concurrency;
  const rps = Math.min(p.clientRps, p.okkiMaxPerSecond ?? Number.POSITIVE_INFINITY);
  const okkiCalls = 1 / pageSize + (enrichBank ? 1 : 0);
  const okki = rps / okkiCalls;
  const perBatchMs = QUERIES_PER_BATCH * L + (L + r * B);
  const slotMs = perBatchMs / B;
  const k3 = slotMs > 0 ? (C * 1000) / slotMs : Number.POSITIVE_INFINITY;
  const bound = Math.min(okki, k3);
  const formula = [
    `OKKI    calls/receipt = 1/${pageSize} (list)${enrichBank ? ' + 1 (receipt/info)' : ''} = ${f(okkiCalls, 3)}; ` +
      `${f(rps, 0)} req/s / ${f(okkiCalls, 3)} = ${f(okki)} receipts/s`,
    slotMs > 0
      ? `K3Cloud rows/s = C·B / (3L + r·B) = ${C}·${B} / (3·${L} + ${r}·${B}) ms = ${f(k3)} receipts/s ` +
        `(2 queries per BatchSave, the order lookups among them)`
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
