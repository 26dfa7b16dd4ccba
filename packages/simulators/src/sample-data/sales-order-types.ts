/**
 * A K3Cloud `SAL_SaleOrder` as a Model-like object (docs/apis/k3cloud.md §7): header fields at the top,
 * each entry entity an array of rows carrying their own `FEntryID`.
 */
export interface SaleOrderEntryRow {
  FEntryID: number;
  FMaterialId: { FNumber: string };
  FQty: number;
  FTaxPrice: number;
}

/** One row of the custom receipt entity `F_PBLH_Entity` (docs/operations.md#default-mapping). */
export interface ReceiptEntityRow {
  FEntryID: number;
  F_PBLH_CashCollectionNo: string;
  /** `YYYY-MM-DD 00:00:00`. */
  F_PBLH_Date: string;
  /** 实到账金额, decimal string with 2 places. */
  F_PBLH_Decimal: string;
  F_PBLH_Amount?: string;
  F_PBLH_BankCharge?: string;
  F_PBLH_Currency?: string;
  F_PBLH_PayType?: string;
  F_PBLH_TradeNo?: string;
  F_PBLH_Remark?: string;
  F_PBLH_Bank?: string;
  F_PBLH_BankAccount?: string;
  F_PBLH_Freight?: string;
  F_PBLH_InspectionFee?: string;
  F_PBLH_Removed?: boolean;
}

export interface SalesOrderBill {
  FID: number;
  FBillNo: string;
  /** String(OKKI order_id): the header field the sync looks orders up by. */
  F_Cash_Collection_Id: string;
  /** `YYYY-MM-DD 00:00:00`. */
  FDate: string;
  FCustId: { FNumber: string };
  /** docs/apis/k3cloud.md §7; absent = A (created). C (audited) and B (in approval) orders may lock their fields. */
  FDocumentStatus?: 'A' | 'B' | 'C';
  FSaleOrderEntry: SaleOrderEntryRow[];
  F_PBLH_Entity: ReceiptEntityRow[];
}
