import { Writable } from 'node:stream';
import { SalesOrderNotFoundError } from '@receipt-sync/core';
import { createLogger } from '@receipt-sync/core';
import { OrderResolver } from './order-resolver';
import type { BillQueryRequest } from '@receipt-sync/k3cloud';
import type { OrderIndex } from './ports';

const logger = createLogger({
  name: 'test',
  level: 'silent',
  pretty: false,
  destination: new Writable({ write: (_c, _e, cb) => cb() }),
});

function memoryIndex(): OrderIndex & { entries: Map<string, unknown> } {
  const entries = new Map<string, { fid: number } | 'miss'>();
  return {
    entries,
    get: async (id) => entries.get(id),
    put: async (id, v) => void entries.set(id, v),
    putMiss: async (id) => void entries.set(id, 'miss'),
  };
}

describe('OrderResolver', () => {
  const orders: Record<string, number> = { '11': 1001, '12': 1002 };
  const queries: BillQueryRequest[] = [];
  const k3 = {
    executeBillQuery: async (q: BillQueryRequest) => {
      queries.push(q);
      const ids = [...String(q.filterString).matchAll(/'(\d+)'/g)].map((m) => m[1]!);
      return ids.filter((id) => orders[id]).map((id) => [orders[id], `XSDD${id}`, id]);
    },
  };

  const resolverWith = (index: ReturnType<typeof memoryIndex>) =>
    new OrderResolver({ index, k3, formId: 'SAL_SaleOrder', orderKeyField: 'F_Cash_Collection_Id', logger });

  beforeEach(() => {
    queries.length = 0;
  });

  it('answers lookups made together with one ExecuteBillQuery', async () => {
    const resolver = resolverWith(memoryIndex());
    const found = await Promise.all([resolver.resolve('11'), resolver.resolve('12'), resolver.resolve('11')]);
    expect(found).toEqual([1001, 1002, 1001]);
    expect(queries).toHaveLength(1);
    expect(String(queries[0]!.filterString)).toBe("F_Cash_Collection_Id IN ('11','12')");
  });

  it('caches hits and misses, so a missing order does not cost a query per receipt', async () => {
    const index = memoryIndex();
    const resolver = resolverWith(index);
    await expect(resolver.resolve('99')).rejects.toBeInstanceOf(SalesOrderNotFoundError);
    await expect(resolver.resolve('99')).rejects.toThrow('sales order not found in K3Cloud');
    await resolver.resolve('11');
    await resolver.resolve('11');
    expect(queries).toHaveLength(2);
  });

  it('never puts a non-numeric order id into a filter', async () => {
    const resolver = resolverWith(memoryIndex());
    await expect(resolver.resolve("1' OR '1'='1")).rejects.toBeInstanceOf(SalesOrderNotFoundError);
    expect(queries).toHaveLength(0);
  });
});
