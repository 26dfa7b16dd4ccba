import type { FieldType, FormFieldConfig } from '../types';

/**
 * Every `F_PBLH_*` row field of the default mapping (docs/operations.md#default-mapping), plus the entry keys the
 * spec names for SAL_SaleOrder (docs/apis/k3cloud.md §7). Seeded bills and `knownFields` add to these.
 */
export const PBLH_ROW_FIELDS = [
  'F_PBLH_CashCollectionNo',
  'F_PBLH_Date',
  'F_PBLH_Decimal',
  'F_PBLH_Amount',
  'F_PBLH_BankCharge',
  'F_PBLH_Currency',
  'F_PBLH_PayType',
  'F_PBLH_TradeNo',
  'F_PBLH_Remark',
  'F_PBLH_Bank',
  'F_PBLH_BankAccount',
  'F_PBLH_Freight',
  'F_PBLH_InspectionFee',
  'F_PBLH_Removed',
];

export const DEFAULT_FORM_FIELDS: Record<string, FormFieldConfig> = {
  SAL_SaleOrder: {
    header: [
      'FID',
      'FBillNo',
      'FDate',
      'F_Cash_Collection_Id',
      'FCustId',
      'FSaleOrgId',
      'FBillTypeID',
      'FDocumentStatus',
      'FSalerId',
      'FSaleDeptId',
      'FBusinessType',
      'FSaleOrderFinance',
      'FNote',
    ],
    entities: {
      FSaleOrderEntry: [
        'FEntryID',
        'FMaterialId',
        'FUnitID',
        'FQty',
        'FPrice',
        'FTaxPrice',
        'FEntryTaxRate',
        'FDeliveryDate',
        'FSettleOrgIds',
        'FReserveType',
        'FAllAmount',
      ],
      F_PBLH_Entity: ['FEntryID', ...PBLH_ROW_FIELDS],
    },
  },
};

/** Types decide how a value is stored and rendered in query results (docs/apis/k3cloud.md §6: dates as yyyy-MM-ddTHH:mm:ss). */
export const DEFAULT_FIELD_TYPES: Record<string, FieldType> = {
  FID: 'int',
  FEntryID: 'int',
  FDate: 'datetime',
  FDeliveryDate: 'datetime',
  F_PBLH_Date: 'datetime',
  FQty: 'decimal',
  FPrice: 'decimal',
  FTaxPrice: 'decimal',
  FEntryTaxRate: 'decimal',
  FAllAmount: 'decimal',
  F_PBLH_Decimal: 'decimal',
  F_PBLH_Amount: 'decimal',
  F_PBLH_BankCharge: 'decimal',
  F_PBLH_Freight: 'decimal',
  F_PBLH_InspectionFee: 'decimal',
  F_PBLH_Removed: 'bool',
};

/** Names users see in 网控 messages (docs/apis/k3cloud.md §5.3 “…使用业务单据：“销售订单”…”). */
export const FORM_LABELS: Record<string, string> = { SAL_SaleOrder: '销售订单' };
