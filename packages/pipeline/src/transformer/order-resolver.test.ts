import { SalesOrderNotFoundError } from '@receipt-sync/core';
import { cachedOrderFid } from './order-resolver';
import type { OrderIndex } from './ports';

function memoryIndex(entries: Record<string, { fid: number } | 'miss'>): OrderIndex {
  return {
    get: async (id) => entries[id],
    put: async () => undefined,
    putMiss: async () => undefined,
  };
}

describe('cachedOrderFid', () => {
  const index = memoryIndex({ '11': { fid: 1001 }, '99': 'miss' });

  it('gives the cached FID, and nothing for an order the writer has not resolved yet', async () => {
    expect(await cachedOrderFid(index, '11')).toBe(1001);
    expect(await cachedOrderFid(index, '12')).toBeUndefined();
  });

  it('holds a receipt whose order the writer just found missing', async () => {
    await expect(cachedOrderFid(index, '99')).rejects.toBeInstanceOf(SalesOrderNotFoundError);
    await expect(cachedOrderFid(index, '99')).rejects.toThrow('sales order not found in K3Cloud');
  });

  it('says where each answer came from: the index, a cached miss, or nothing cached (K3Cloud resolves it)', async () => {
    const sources: string[] = [];
    const note = (source: string) => sources.push(source);
    await cachedOrderFid(index, '11', note);
    await cachedOrderFid(index, '12', note);
    await expect(cachedOrderFid(index, '99', note)).rejects.toBeInstanceOf(SalesOrderNotFoundError);
    expect(sources).toEqual(['index', 'k3cloud', 'index-miss']);
  });

  it('refuses a non-numeric order id', async () => {
    await expect(cachedOrderFid(index, "1' OR '1'='1")).rejects.toBeInstanceOf(SalesOrderNotFoundError);
  });
});
