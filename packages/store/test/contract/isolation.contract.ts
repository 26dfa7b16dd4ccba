import { apiCall, type ContractContext } from './context';

export function isolationContract(ctx: ContractContext): void {
  describe('prefix isolation', () => {
    it('never lets two prefixes see each other’s state', async () => {
      const a = (await ctx.fresh()).store;
      const b = (await ctx.fresh()).store;
      await a.checkpoints.advance('receipts', '2025-04-15 10:00:00', undefined);
      await a.windows.open({ id: 'w1', start: '2025-04-15 09:00:00', end: '2025-04-15 10:00:00' });
      await a.ledger.recordOutcome('501', {
        status: 'quarantined',
        orderId: 'o-1',
        lastError: { code: 'receipt.quarantined', message: 'x' },
      });
      await a.orders.put('o-1', { fid: 1 });
      await a.orders.putMiss('o-2', 60_000);
      await a.audit.append([apiCall(1)]);

      expect(await b.checkpoints.get('receipts')).toBeUndefined();
      expect(await b.windows.get('w1')).toBeUndefined();
      expect(await b.windows.latest(10)).toEqual([]);
      expect(await b.ledger.get('501')).toBeUndefined();
      expect((await b.ledger.getMany(['501'])).size).toBe(0);
      expect(await b.ledger.list({ orderId: 'o-1' })).toEqual([]);
      expect(Object.values(await b.ledger.countByStatus()).every((n) => n === 0)).toBe(true);
      expect(await b.ledger.latestErrors(10)).toEqual([]);
      expect(await b.orders.get('o-1')).toBeUndefined();
      expect(await b.orders.get('o-2')).toBeUndefined();
      expect(await b.audit.recent(10)).toEqual([]);

      // And the other way round: b's own writes under the same names leave a untouched.
      expect(await b.checkpoints.advance('receipts', '2025-04-15 08:00:00', undefined)).toBe(true);
      await b.ledger.recordWritten({
        receiptId: '501',
        receiptNo: 'SK',
        orderId: 'o-9',
        sourceVersion: '2025-04-15 10:00:00',
        removed: false,
        contentHash: 'h',
        k3Fid: 9,
        k3EntryId: 9,
      });
      expect((await a.checkpoints.get('receipts'))?.windowEnd).toBe('2025-04-15 10:00:00');
      expect(await a.ledger.get('501')).toMatchObject({ status: 'quarantined', orderId: 'o-1' });
      expect((await a.ledger.countByStatus()).written).toBe(0);
    });
  });
}
