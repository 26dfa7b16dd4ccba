/**
 * The OKKI receipt (回款单) exactly as /v1/invoices/receipt/list serialises it (docs/apis/okki.md §5,
 * sample §10): ids are integers, money is a 2-dp string, rates are 5-dp strings, and an empty
 * related object is PHP's `[]`, never `{}` or null.
 */

/** PHP serialises an empty associative array as `[]` (docs/apis/okki.md §3). */
export type PhpEmpty = [];

export interface OkkiUserRef {
  /** `*_info.user_id` values are strings although ids are integers elsewhere (docs/apis/okki.md §3). */
  user_id: string;
  nickname: string;
  avatar: string;
}

export interface OkkiCompanyInfo {
  company_id: number;
  name: string;
  is_archive: number;
}

export interface OkkiOrderInfo {
  order_id: number;
  order_no: string;
  name: string;
  currency: string;
  exchange_rate: string;
  exchange_rate_usd: string;
  amount: string;
  service_fee_currency: string;
  service_fee_amount: string;
  service_fee_amount_rmb: string;
  service_fee_amount_usd: string;
}

export interface OkkiCapitalAccountInfo {
  capital_account_id: number;
  capital_account_name: string;
  /** 开户名, the account holder. */
  capital_name: string;
  /** 开户行, the bank. */
  capital_bank: string;
  bank_account: string;
  capital_account_address: string;
  capital_account_remark: string;
}

export interface OkkiFileRef {
  file_id: number;
  user_id: number;
  create_time: string;
}

/** Custom field values may be a string, a number or `[]` (docs/apis/okki.md §5). */
export type OkkiCustomValue = string | number | PhpEmpty;

/** Fields that only `/v1/invoices/receipt/info` returns (docs/apis/okki.md §6). */
export interface OkkiReceiptInfoExtras {
  create_type?: number;
  finance_verify_date?: string | null;
  cash_collection_invoice_info?: Record<string, unknown> | PhpEmpty;
  capital_account_id?: number;
  capital_account_info?: OkkiCapitalAccountInfo | PhpEmpty;
  users?: Array<{ user_id: string; nickname: string; rate: number }>;
  departments?: Array<{ department_id: string; name: string; rate: number }>;
  /** 1 = not deleted, 0 = deleted, 3 = draft. */
  enable_flag?: number;
}

export const RECEIPT_INFO_EXTRA_KEYS = [
  'create_type',
  'finance_verify_date',
  'cash_collection_invoice_info',
  'capital_account_id',
  'capital_account_info',
  'users',
  'departments',
  'enable_flag',
] as const satisfies ReadonlyArray<keyof OkkiReceiptInfoExtras>;

export interface OkkiReceiptRecord extends OkkiReceiptInfoExtras {
  cash_collection_id: number;
  constraint: string;
  primary: string;
  create_time: string;
  update_time: string;
  order_id: number;
  collection_date: string;
  amount: string;
  currency: string;
  exchange_rate: string;
  finance_verify: { date: string | null; name: string | null };
  comment: string;
  file_list: OkkiFileRef[];
  department_id: string[];
  opportunity_id: number;
  user_id: string[];
  client_id: number;
  op_user_id: number;
  type: string;
  cash_collection_no: string;
  amount_rmb: string;
  amount_usd: string;
  exchange_rate_usd: string;
  company_id: number;
  create_user_id: number;
  payee: string;
  collect_status: number;
  real_amount: string;
  real_amount_rmb: string;
  real_amount_usd: string;
  bank_charge: string;
  bank_charge_rmb: string;
  bank_charge_usd: string;
  trade_no: string;
  external_field_data_info: Record<string, OkkiCustomValue>;
  company_info: OkkiCompanyInfo | PhpEmpty;
  user_info: OkkiUserRef[];
  order_info: OkkiOrderInfo | PhpEmpty;
  opportunity_info: unknown[];
  create_user_info: OkkiUserRef;
  op_user_info: OkkiUserRef;
  lock_flag: string;
  /**
   * Not an OKKI field: which list the record belongs to (`removed=1` returns deleted ones, spec
   * §8). The simulator reads it and never serialises it.
   */
  removed?: boolean;
}

/** Payment methods from GET /v1/invoices/receipt/types (docs/apis/okki.md §6). */
export const RECEIPT_TYPES = [
  'L/C',
  'T/T',
  'D/P',
  'D/A',
  'Western Union',
  'PayPal',
  'M/T',
  'D/D',
  'Other',
  'Credit Card',
  'e-Checking',
  'Boleto',
  'T/T in advance',
  'Alipay',
  'Wechat',
  'O/A',
] as const;

/** Default tenant custom-field ids for 运费 (freight) and 商检费 (inspection fee), as in docs/apis/okki.md §10 sample. */
export const DEFAULT_CUSTOM_FIELD_IDS = { freight: '3564970299', inspectionFee: '3564970303' } as const;
