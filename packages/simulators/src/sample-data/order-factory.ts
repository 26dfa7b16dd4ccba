import { formatChinaDate, formatChinaTime } from '@receipt-sync/core';
import { convert, formatMoney, randomAmount, randomUsdRate } from './amounts';
import { CUSTOMERS, MATERIALS } from './catalog';
import type { Rng } from './prng';
import type { OkkiOrderInfo } from './receipt-types';
import type { ReceiptEntityRow, SalesOrderBill } from './sales-order-types';

/** An OKKI sales order as the receipts see it (order_info, company_info). */
export interface OkkiOrderSeed {
  orderId: number;
  info: OkkiOrderInfo;
  companyId: number;
  companyName: string;
  customerNumber: string;
  /** CNY per 100 USD on the order date, reused by its receipts. */
  usdRate: { usdToCnyPer100: string; cnyToUsdPer100: string };
}

const DAY_MS = 86_400_000;

export function buildOkkiOrder(rng: Rng, orderId: number, seq: number, orderDate: Date): OkkiOrderSeed {
  const customerIndex = rng.int(0, CUSTOMERS.length - 1);
  const customer = CUSTOMERS[customerIndex]!;
  const currency = rng.chance(0.7) ? 'USD' : 'CNY';
  const usdRate = randomUsdRate(rng);
  const exchangeRate = currency === 'USD' ? usdRate.usdToCnyPer100 : '100.00000';
  const exchangeRateUsd = currency === 'USD' ? '100.00000' : usdRate.cnyToUsdPer100;
  const amount = currency === 'USD' ? randomAmount(rng, 2_000, 150_000) : randomAmount(rng, 10_000, 900_000);
  const orderNo = `SO${formatChinaDate(orderDate).replace(/-/g, '')}${String(seq).padStart(3, '0')}`;
  const zero = formatMoney(amount.times(0));
  return {
    orderId,
    companyId: 30_118_000 + customerIndex * 37,
    companyName: customer.name,
    customerNumber: customer.k3Number,
    usdRate,
    info: {
      order_id: orderId,
      order_no: orderNo,
      name: `${customer.name} ${orderNo}`,
      currency,
      exchange_rate: exchangeRate,
      exchange_rate_usd: exchangeRateUsd,
      amount: formatMoney(amount),
      service_fee_currency: currency,
      service_fee_amount: zero,
      service_fee_amount_rmb: convert(amount.times(0), exchangeRate),
      service_fee_amount_usd: convert(amount.times(0), exchangeRateUsd),
    },
  };
}

export interface EntryIds {
  nextOrderEntry(): number;
  nextReceiptRow(): number;
}

/**
 * The K3Cloud sales order carrying F_Cash_Collection_Id = String(order_id). Some already hold
 * receipt rows from older, unrelated receipts: the sync must leave those rows alone.
 */
export function buildSalesOrder(
  rng: Rng,
  order: OkkiOrderSeed,
  fid: number,
  orderDate: Date,
  ids: EntryIds,
  withExistingRows: boolean,
): SalesOrderBill {
  const lines = rng.int(1, 3);
  const entries = Array.from({ length: lines }, () => ({
    FEntryID: ids.nextOrderEntry(),
    FMaterialId: { FNumber: rng.pick(MATERIALS) },
    FQty: rng.int(1, 50) * 100,
    FTaxPrice: rng.int(150, 4_800) / 100,
  }));
  const existing: ReceiptEntityRow[] = [];
  if (withExistingRows) {
    const count = rng.int(1, 2);
    for (let i = 0; i < count; i++) {
      // Older than any generated receipt: a date at least 30 days before the order's receipts.
      const paid = new Date(orderDate.getTime() - rng.int(30, 200) * DAY_MS);
      const entryId = ids.nextReceiptRow();
      // The row id makes the number unique among old rows; the old date keeps it out of the dataset.
      const no = `HK${formatChinaDate(paid).replace(/-/g, '')}${String(entryId % 10_000).padStart(4, '0')}`;
      const amount = randomAmount(rng, 500, 20_000);
      existing.push({
        FEntryID: entryId,
        F_PBLH_CashCollectionNo: no,
        F_PBLH_Date: `${formatChinaDate(paid)} 00:00:00`,
        F_PBLH_Decimal: formatMoney(amount),
        F_PBLH_Amount: formatMoney(amount),
        F_PBLH_BankCharge: '0.00',
        F_PBLH_Currency: order.info.currency,
        F_PBLH_PayType: 'T/T',
        F_PBLH_TradeNo: '',
        F_PBLH_Remark: 'entered by hand',
      });
    }
  }
  return {
    FID: fid,
    FBillNo: `XSDD${String(fid - 100_000).padStart(6, '0')}`,
    F_Cash_Collection_Id: String(order.orderId),
    FDate: `${formatChinaTime(orderDate).slice(0, 10)} 00:00:00`,
    FCustId: { FNumber: order.customerNumber },
    FSaleOrderEntry: entries,
    F_PBLH_Entity: existing,
  };
}
