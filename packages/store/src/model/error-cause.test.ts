import { errorCause, reasonTemplate } from './error-cause';

describe('reasonTemplate', () => {
  it('strips receipt numbers, ids, amounts and quoted values', () => {
    expect(reasonTemplate('receipt HK202504150434: receipt has no sales order')).toBe(
      'receipt #: receipt has no sales order',
    );
    expect(reasonTemplate('order 98231 for "ACME 有限公司" not found (FID 100023)')).toBe(
      'order # for "…" not found (FID #)',
    );
    expect(reasonTemplate('amount 12.50 is negative')).toBe('amount # is negative');
    expect(reasonTemplate('K3Cloud refused row 7 of SAL_SaleOrder XSDD000123')).toBe(
      'K3Cloud refused row # of SAL_SaleOrder #',
    );
  });

  it('gives one cause id to reasons that differ only in receipt-specific parts', () => {
    const a = errorCause('k3cloud.order-not-found', 'receipt HK202504150434: order 3564000001 not found');
    const b = errorCause('k3cloud.order-not-found', 'receipt HK202504150112: order 3564000002 not found');
    const c = errorCause('receipt.quarantined', 'receipt HK202504150112: order 3564000002 not found');
    expect(a).toEqual(b);
    expect(a.id).toMatch(/^[0-9a-f]{16}$/);
    expect(c.id).not.toBe(a.id);
  });
});
