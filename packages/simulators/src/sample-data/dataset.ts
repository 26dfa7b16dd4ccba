import { formatChinaDate, parseChinaTime } from '@receipt-sync/core';
import { buildOkkiOrder, buildSalesOrder, type OkkiOrderSeed } from './order-factory';
import { createRng, type Rng } from './prng';
import { buildReceipt } from './receipt-factory';
import { DEFAULT_CUSTOM_FIELD_IDS, type OkkiReceiptRecord } from './receipt-types';
import type { SalesOrderBill } from './sales-order-types';

export interface GenerateDatasetOptions {
  seed: number;
  receipts: number;
  orders: number;
  /** First create_time; default 2025-04-15 00:00:00 China time (fixed, so output never depends on the clock). */
  startTime?: Date;
  /** create/update times fall in [startTime, startTime + spanSeconds]; default one day. */
  spanSeconds?: number;
  /** Fraction of orders that already hold rows for older, unrelated receipts; default 0.3. */
  existingRowRate?: number;
  /** Fraction of receipts with order_id 0; default 0.05. */
  noOrderRate?: number;
  /** Fraction of receipts linked to an OKKI order that has no K3Cloud sales order; default 0.05. */
  missingOrderRate?: number;
  customFieldIds?: { freight: string; inspectionFee: string };
  /** Fraction of sales orders already audited (FDocumentStatus C); default 0. Spread evenly, not drawn. */
  auditedOrderRate?: number;
  /** Fraction of sales orders in approval (FDocumentStatus B); default 0. */
  inApprovalOrderRate?: number;
}

export interface Dataset {
  receipts: OkkiReceiptRecord[];
  orders: SalesOrderBill[];
}

export const DEFAULT_START_TIME = parseChinaTime('2025-04-15 00:00:00')!;
const DAY_MS = 86_400_000;

function orderDateBefore(rng: Rng, start: Date): Date {
  return new Date(start.getTime() - rng.int(1, 60) * DAY_MS);
}

/** Every k-th order by rate, without drawing from the generator: other data stays the same per seed. */
function markLockedOrders(orders: SalesOrderBill[], audited: number, inApproval: number): void {
  const hit = (i: number, rate: number) => Math.floor((i + 1) * rate) > Math.floor(i * rate);
  orders.forEach((order, i) => {
    if (hit(i, audited)) order.FDocumentStatus = 'C';
    else if (hit(i, inApproval)) order.FDocumentStatus = 'B';
  });
}

/**
 * Receipts and sales orders that look like a real tenant's: the same seed always gives the same
 * data. Ids and numbers grow with create_time as OKKI's do.
 */
export function generateDataset(options: GenerateDatasetOptions): Dataset {
  const rng = createRng(options.seed);
  const start = options.startTime ?? DEFAULT_START_TIME;
  const spanMs = (options.spanSeconds ?? 86_400) * 1000;
  const existingRowRate = options.existingRowRate ?? 0.3;
  const noOrderRate = options.noOrderRate ?? 0.05;
  const missingOrderRate = options.missingOrderRate ?? 0.05;
  const customFieldIds = options.customFieldIds ?? DEFAULT_CUSTOM_FIELD_IDS;

  let orderEntry = 100_000;
  let receiptRow = 200_000;
  const ids = { nextOrderEntry: () => ++orderEntry, nextReceiptRow: () => ++receiptRow };

  const okkiOrders: OkkiOrderSeed[] = [];
  const orders: SalesOrderBill[] = [];
  let okkiOrderId = 4_100_000_000;
  for (let i = 0; i < options.orders; i++) {
    okkiOrderId += rng.int(1, 5_000);
    const date = orderDateBefore(rng, start);
    const okki = buildOkkiOrder(rng, okkiOrderId, i + 1, date);
    okkiOrders.push(okki);
    orders.push(buildSalesOrder(rng, okki, 100_001 + i, date, ids, rng.chance(existingRowRate)));
  }
  markLockedOrders(orders, options.auditedOrderRate ?? 0, options.inApprovalOrderRate ?? 0);
  // OKKI orders that never reached K3Cloud: a separate id range so they cannot collide.
  const orphans: OkkiOrderSeed[] = Array.from({ length: Math.max(1, Math.ceil(options.receipts / 20)) }, (_, i) =>
    buildOkkiOrder(rng, 4_900_000_000 + i * 7 + 1, 900 + i, orderDateBefore(rng, start)),
  );

  const createTimes = Array.from(
    { length: options.receipts },
    () => start.getTime() + Math.floor(rng.next() * spanMs),
  ).sort((a, b) => a - b);
  const seqByDate = new Map<string, number>();
  let receiptId = 5_221_000_000;
  const receipts = createTimes.map((createMs) => {
    receiptId += rng.int(1, 900);
    const created = new Date(Math.floor(createMs / 1000) * 1000);
    const endMs = start.getTime() + spanMs;
    const updated = rng.chance(0.3) ? created : new Date(createMs + Math.floor(rng.next() * (endMs - createMs)));
    const dateKey = formatChinaDate(created).replace(/-/g, '');
    const seq = (seqByDate.get(dateKey) ?? 0) + 1;
    seqByDate.set(dateKey, seq);
    const roll = rng.next();
    let order: OkkiOrderSeed | null;
    if (roll < noOrderRate) order = null;
    else if (roll < noOrderRate + missingOrderRate || okkiOrders.length === 0) order = rng.pick(orphans);
    else order = rng.pick(okkiOrders);
    return buildReceipt(rng, {
      id: receiptId,
      no: `HK${dateKey}${String(seq).padStart(4, '0')}`,
      createTime: created,
      updateTime: new Date(Math.floor(updated.getTime() / 1000) * 1000),
      order,
      customFieldIds,
    });
  });
  return { receipts, orders };
}
