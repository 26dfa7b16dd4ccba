import { compareSnapshot } from './compare';
import { gatherSnapshot, type ReconcileDeps } from './gather';
import { orderIdOf } from './receipt-identity';
import { FINDING_CATEGORIES, type FindingCategory, type ReconcileReport, type ReconcileWindow } from './types';

/**
 * Compares OKKI, K3Cloud and the ledger for receipts whose update_time lies in `[from, to]` and
 * reports every difference. Read-only: it never writes to K3Cloud, the ledger or the queues.
 *
 * @throws InvalidInputError when the window is not two `YYYY-MM-DD HH:mm:ss` stamps in order.
 */
export async function reconcile(deps: ReconcileDeps, window: ReconcileWindow): Promise<ReconcileReport> {
  const startedAt = new Date().toISOString();
  const snapshot = await gatherSnapshot(deps, window);
  const { findings, ignoredRows } = compareSnapshot(snapshot, deps.mapping);
  const counts = Object.fromEntries(FINDING_CATEGORIES.map((c) => [c, 0])) as Record<FindingCategory, number>;
  for (const f of findings) counts[f.category] += 1;
  return {
    window: { from: window.from, to: window.to },
    startedAt,
    finishedAt: new Date().toISOString(),
    scanned: {
      okkiActive: snapshot.receipts.filter((r) => !r.removed).length,
      okkiRemoved: snapshot.receipts.filter((r) => r.removed).length,
      okkiInvalid: snapshot.invalid,
      orders: new Set(snapshot.receipts.map((r) => orderIdOf(r.receipt, deps.mapping)).filter((id) => id !== undefined))
        .size,
      ordersFound: snapshot.orders.size,
      salesOrders: new Set(snapshot.rows.map((r) => r.fid)).size,
      rows: snapshot.rows.length,
      ignoredRows,
      ledgerEntries: snapshot.ledger.size + snapshot.ledgerOthers.length,
    },
    counts,
    findings,
    clean: findings.length === 0,
  };
}
