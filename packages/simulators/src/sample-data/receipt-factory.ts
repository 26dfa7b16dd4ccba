import { formatChinaDate, formatChinaTime } from '@receipt-sync/core';
import { randomAmount, randomUsdRate } from './amounts';
import { CAPITAL_ACCOUNTS, COMMENTS, DEPARTMENTS, PAYEES, SALES_USERS, TENANT_CLIENT_ID } from './catalog';
import type { OkkiOrderSeed } from './order-factory';
import type { Rng } from './prng';
import { amountFields, randomRemittance } from './receipt-money';
import { RECEIPT_TYPES, type OkkiCustomValue, type OkkiReceiptRecord } from './receipt-types';

export interface ReceiptPlan {
  id: number;
  no: string;
  createTime: Date;
  updateTime: Date;
  /** OKKI order the receipt is linked to; null → order_id 0. */
  order: OkkiOrderSeed | null;
  customFieldIds: { freight: string; inspectionFee: string };
}

const DAY_MS = 86_400_000;

/** Custom values arrive as strings, numbers or `[]` (docs/apis/okki.md §5, sample §10). */
function customFee(rng: Rng, max: number): OkkiCustomValue {
  const roll = rng.next();
  if (roll < 0.4) return randomAmount(rng, 1, max).toFixed();
  if (roll < 0.65) return Number(randomAmount(rng, 1, max).toFixed());
  if (roll < 0.9) return [];
  return '';
}

export function buildReceipt(rng: Rng, plan: ReceiptPlan): OkkiReceiptRecord {
  const { order } = plan;
  const usdRate = order?.usdRate ?? randomUsdRate(rng);
  const currency = order
    ? rng.chance(0.9)
      ? order.info.currency
      : order.info.currency === 'USD'
        ? 'CNY'
        : 'USD'
    : rng.pick(['USD', 'CNY']);
  const exchangeRate = currency === 'USD' ? usdRate.usdToCnyPer100 : '100.00000';
  const exchangeRateUsd = currency === 'USD' ? '100.00000' : usdRate.cnyToUsdPer100;
  const { amount, bankCharge } = randomRemittance(rng, currency);
  const money = amountFields(amount, bankCharge, exchangeRate, exchangeRateUsd);
  const owner = rng.pick(SALES_USERS);
  const creator = rng.chance(0.7) ? owner : rng.pick(SALES_USERS);
  const department = rng.pick(DEPARTMENTS);
  const collectionDate = new Date(plan.createTime.getTime() + rng.int(-3, 1) * DAY_MS);
  const account = rng.chance(0.9) ? rng.pick(CAPITAL_ACCOUNTS) : null;
  const hasCompany = order !== null || rng.chance(0.5);
  const companyId = order ? order.companyId : hasCompany ? 30_990_000 + rng.int(1, 999) : 0;
  const createTime = formatChinaTime(plan.createTime);
  const external: Record<string, OkkiCustomValue> = {
    [plan.customFieldIds.freight]: customFee(rng, 800),
    [plan.customFieldIds.inspectionFee]: customFee(rng, 300),
    '3574900796': [],
    '5208992912': rng.chance(0.5) ? '文本框' : '',
  };
  // Keys in the order of the official sample (docs/apis/okki.md §10), so serialised records read the same.
  return {
    cash_collection_id: plan.id,
    constraint: '',
    primary: '',
    create_time: createTime,
    update_time: formatChinaTime(plan.updateTime),
    order_id: order?.orderId ?? 0,
    collection_date: formatChinaDate(collectionDate),
    amount: money.amount,
    currency,
    exchange_rate: exchangeRate,
    finance_verify: { date: null, name: null },
    comment: rng.pick(COMMENTS),
    file_list: rng.chance(0.15)
      ? [{ file_id: 7_100_000_000 + (plan.id % 1_000_000), user_id: Number(creator.user_id), create_time: createTime }]
      : [],
    department_id: [department.department_id],
    opportunity_id: 0,
    user_id: [owner.user_id],
    client_id: TENANT_CLIENT_ID,
    op_user_id: Number(creator.user_id),
    type: rng.chance(0.7) ? 'T/T' : rng.pick(RECEIPT_TYPES),
    cash_collection_no: plan.no,
    amount_rmb: money.amount_rmb,
    amount_usd: money.amount_usd,
    exchange_rate_usd: exchangeRateUsd,
    company_id: companyId,
    create_user_id: Number(creator.user_id),
    payee: rng.pick(PAYEES),
    collect_status: rng.chance(0.85) ? 1 : 0,
    real_amount: money.real_amount,
    real_amount_rmb: money.real_amount_rmb,
    real_amount_usd: money.real_amount_usd,
    bank_charge: money.bank_charge,
    bank_charge_rmb: money.bank_charge_rmb,
    bank_charge_usd: money.bank_charge_usd,
    trade_no: rng.chance(0.6) ? `TT${formatChinaDate(collectionDate).replace(/-/g, '')}${rng.int(100000, 999999)}` : '',
    external_field_data_info: external,
    company_info: hasCompany
      ? { company_id: companyId, name: order?.companyName ?? `Walk-in customer ${companyId % 1000}`, is_archive: 1 }
      : [],
    user_info: [{ ...owner }],
    order_info: order ? { ...order.info } : [],
    opportunity_info: [],
    create_user_info: { ...creator },
    op_user_info: { ...creator },
    lock_flag: '0',
    // Info-only extras (docs/apis/okki.md §6): the simulator serves them on /receipt/info only.
    create_type: rng.chance(0.9) ? 1 : 3,
    finance_verify_date: null,
    cash_collection_invoice_info: [],
    capital_account_id: account?.capital_account_id ?? 0,
    capital_account_info: account ? { ...account } : [],
    users: [{ user_id: owner.user_id, nickname: owner.nickname, rate: 100 }],
    departments: [{ department_id: department.department_id, name: department.name, rate: 100 }],
    enable_flag: 1,
    removed: false,
  };
}
