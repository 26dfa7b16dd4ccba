import { MemoryAudit } from '@receipt-sync/api-audit';
import { startKingdeeSimulator, type KingdeeSimulator, type KingdeeSimulatorOptions } from '@receipt-sync/kingdee-simulator';
import { randomUUID } from 'node:crypto';
import { KingdeeClient, type KingdeeClientOptions } from '../src';

/** A sales order as the generator shapes it. */
export function salesOrder(fid: number, receipts: Array<{ no: string; amount?: string }> = []) {
  return {
    FID: fid,
    FBillNo: `XSDD${fid}`,
    F_Cash_Collection_Id: `ORD-${fid}`,
    FDate: '2024-03-01 00:00:00',
    FCustId: { FNumber: 'CUST01' },
    FSaleOrderEntry: [{ FEntryID: fid * 100, FQty: 1 }],
    F_PBLH_Entity: receipts.map((r, i) => ({ FEntryID: fid * 100 + i + 1, F_PBLH_CashCollectionNo: r.no, F_PBLH_Decimal: r.amount ?? '10.00' })),
  };
}

export interface Harness {
  sim: KingdeeSimulator;
  audit: MemoryAudit;
  client(overrides?: Partial<KingdeeClientOptions>): KingdeeClient;
  close(): Promise<void>;
}

/** A simulator on loopback plus clients bound to it; every client is closed with the harness. */
export async function startHarness(options: KingdeeSimulatorOptions = {}): Promise<Harness> {
  const sim = await startKingdeeSimulator(options);
  const audit = new MemoryAudit();
  const clients: KingdeeClient[] = [];
  return {
    sim,
    audit,
    client(overrides = {}) {
      const c = new KingdeeClient({
        baseUrl: sim.baseUrl,
        acctId: sim.credentials.acctId,
        username: sim.credentials.username,
        password: sim.credentials.password,
        lcid: 2052,
        timeoutMs: 5_000,
        maxConcurrency: 4,
        limiterId: `k3-test-${randomUUID()}`,
        retryBaseMs: 10,
        audit,
        ...overrides,
      });
      clients.push(c);
      return c;
    },
    async close() {
      await Promise.all(clients.map((c) => c.close()));
      await sim.close();
    },
  };
}

export const rowsOf = (sim: KingdeeSimulator, fid: number) =>
  (sim.getBill('SAL_SaleOrder', fid)?.F_PBLH_Entity ?? []) as Array<Record<string, unknown> & { FEntryID: number }>;
