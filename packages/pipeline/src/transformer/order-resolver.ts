import { SalesOrderNotFoundError } from '@receipt-sync/core';
import type { Logger } from '@receipt-sync/core';
import type { BillQuery, OrderIndex } from './ports';

export interface OrderResolverOptions {
  index: OrderIndex;
  k3: BillQuery;
  formId: string;
  /** Header field holding the OKKI order id (F_Cash_Collection_Id). */
  orderKeyField: string;
  logger: Logger;
  /** How long a "no such order" answer is trusted. @defaultValue 60000 */
  missTtlMs?: number;
  /** How long a found FID is trusted. @defaultValue 24 h */
  hitTtlMs?: number;
  /**
   * Lookups arriving within this many ms share one ExecuteBillQuery (up to 200 ids; a full set
   * goes at once). Each query costs a K3Cloud slot for its whole latency, so waiting a little to
   * answer many receipts with one query is the cheaper trade. @defaultValue 100
   */
  coalesceMs?: number;
}

type Waiter = { resolve: (fid: number) => void; reject: (e: unknown) => void };

const CHUNK = 200;

/**
 * OKKI order_id → K3Cloud sales order FID. Cached in the store's order index (misses briefly, so a
 * late-arriving order is found soon); lookups made close together are answered by ONE
 * ExecuteBillQuery with `IN (...)` instead of one query per receipt.
 */
export class OrderResolver {
  private pending = new Map<string, Waiter[]>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: OrderResolverOptions) {}

  async resolve(orderId: string): Promise<number> {
    if (!/^\d+$/.test(orderId)) throw new SalesOrderNotFoundError(orderId);
    const cached = await this.opts.index.get(orderId);
    if (cached === 'miss') throw new SalesOrderNotFoundError(orderId);
    if (cached) return cached.fid;
    return new Promise<number>((resolve, reject) => {
      const waiters = this.pending.get(orderId) ?? [];
      waiters.push({ resolve, reject });
      this.pending.set(orderId, waiters);
      if (this.pending.size >= CHUNK) {
        if (this.timer) clearTimeout(this.timer);
        void this.flush();
      } else {
        this.timer ??= setTimeout(() => void this.flush(), this.opts.coalesceMs ?? 100);
      }
    });
  }

  private async flush(): Promise<void> {
    this.timer = undefined;
    const batch = this.pending;
    this.pending = new Map();
    const ids = [...batch.keys()];
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      try {
        const found = await this.query(chunk);
        for (const id of chunk) {
          const hit = found.get(id);
          if (hit) {
            await this.opts.index.put(id, hit, this.opts.hitTtlMs ?? 24 * 3600_000);
            for (const w of batch.get(id) ?? []) w.resolve(hit.fid);
          } else {
            await this.opts.index.putMiss(id, this.opts.missTtlMs ?? 60_000);
            for (const w of batch.get(id) ?? []) w.reject(new SalesOrderNotFoundError(id));
          }
        }
      } catch (error) {
        for (const id of chunk) for (const w of batch.get(id) ?? []) w.reject(error);
      }
    }
  }

  private async query(orderIds: string[]): Promise<Map<string, { fid: number; billNo?: string }>> {
    const { formId, orderKeyField } = this.opts;
    // Ids are digits only (checked in resolve), so the quoted list cannot break out of the filter.
    // Header fields only: one row per bill, so CHUNK ids stay far below one 2000-row page.
    const rows = await this.opts.k3.executeBillQuery(
      {
        formId,
        fieldKeys: `FID,FBillNo,${orderKeyField}`,
        filterString: `${orderKeyField} IN (${orderIds.map((id) => `'${id}'`).join(',')})`,
        orderString: 'FID ASC',
        limit: 2000,
      },
      orderIds,
    );
    const out = new Map<string, { fid: number; billNo?: string }>();
    for (const row of rows) {
      const [fid, billNo, key] = row;
      const orderId = String(key ?? '');
      const fidNumber = Number(fid);
      if (!Number.isInteger(fidNumber) || fidNumber <= 0) continue;
      const existing = out.get(orderId);
      if (existing && existing.fid !== fidNumber) {
        this.opts.logger.warn(
          { orderId, fids: [existing.fid, fidNumber] },
          'several sales orders share one F_Cash_Collection_Id; using the lowest FID',
        );
        continue;
      }
      out.set(orderId, { fid: fidNumber, billNo: billNo == null ? undefined : String(billNo) });
    }
    return out;
  }
}
