import { MemoryAudit } from '@receipt-sync/core';
import { startK3CloudSimulator, type K3CloudSimulator, type K3CloudSimulatorOptions } from '@receipt-sync/simulators';
import { randomUUID } from 'node:crypto';
import { K3CloudClient, type K3CloudClientOptions } from '../src';

/** A sales order as the generator shapes it. */
export function salesOrder(fid: number, receipts: Array<{ no: string; amount?: string }> = []) {
  return {
    FID: fid,
    FBillNo: `XSDD${fid}`,
    F_Cash_Collection_Id: `ORD-${fid}`,
    FDate: '2024-03-01 00:00:00',
    FCustId: { FNumber: 'CUST01' },
    FSaleOrderEntry: [{ FEntryID: fid * 100, FQty: 1 }],
    F_PBLH_Entity: receipts.map((r, i) => ({
      FEntryID: fid * 100 + i + 1,
      F_PBLH_CashCollectionNo: r.no,
      F_PBLH_Decimal: r.amount ?? '10.00',
    })),
  };
}

export interface Harness {
  sim: K3CloudSimulator;
  audit: MemoryAudit;
  client(overrides?: Partial<K3CloudClientOptions>): K3CloudClient;
  close(): Promise<void>;
}

/** A simulator on loopback plus clients bound to it; every client is closed with the harness. */
export async function startHarness(options: K3CloudSimulatorOptions = {}): Promise<Harness> {
  const sim = await startK3CloudSimulator(options);
  const audit = new MemoryAudit();
  const clients: K3CloudClient[] = [];
  return {
    sim,
    audit,
    client(overrides = {}) {
      const c = new K3CloudClient({
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

export const rowsOf = (sim: K3CloudSimulator, fid: number) =>
  (sim.getBill('SAL_SaleOrder', fid)?.F_PBLH_Entity ?? []) as Array<Record<string, unknown> & { FEntryID: number }>;
