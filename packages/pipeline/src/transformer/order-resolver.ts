import { SalesOrderNotFoundError } from '@receipt-sync/core';
import type { OrderIndex } from './ports';

/** Where a receipt's sales order (FID) was found; counted as `order_lookups_total{source}`. */
export type OrderLookupSource = 'ledger' | 'index' | 'index-miss' | 'k3cloud';

/**
 * What the transformer knows of a receipt's sales order without asking K3Cloud: the order index
 * the writer fills from its one query before each save. A cached FID rides along as a hint; no
 * cached answer means the writer resolves the order; a cached miss (the writer found no such
 * order moments ago) holds the receipt on the long order schedule here, at no K3Cloud cost.
 * Every K3Cloud query per batch is the writer's: two per BatchSave (docs/apis/k3cloud.md §6).
 * The index is keyed by F_Cash_Collection_Id, as the seed's `_mongoQuery` lookup was; `onLookup`
 * says where the answer came from.
 */
export async function cachedOrderFid(
  index: OrderIndex,
  orderId: string,
  onLookup?: (source: OrderLookupSource) => void,
): Promise<number | undefined> {
  if (!/^\d+$/.test(orderId)) throw new SalesOrderNotFoundError(orderId);
  const cached = await index.get(orderId);
  onLookup?.(cached === 'miss' ? 'index-miss' : cached ? 'index' : 'k3cloud');
  if (cached === 'miss') throw new SalesOrderNotFoundError(orderId);
  return cached?.fid;
}
