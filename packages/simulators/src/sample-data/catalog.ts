import type { OkkiCapitalAccountInfo, OkkiUserRef } from './receipt-types';

/** Fixed reference data a small export business would have in OKKI. */

/** The tenant (company account) id; `client_id` is the tenant, not the customer (docs/apis/okki.md §5). */
export const TENANT_CLIENT_ID = 351383;

const AVATAR = 'https://v4client.oss-cn-hangzhou.aliyuncs.com/avatar/';

export const SALES_USERS: readonly OkkiUserRef[] = [
  { user_id: '249521383', nickname: 'sky', avatar: `${AVATAR}249521383.jpeg` },
  { user_id: '249521401', nickname: '王丽', avatar: `${AVATAR}249521401.jpeg` },
  { user_id: '249521417', nickname: 'Kevin Zhao', avatar: `${AVATAR}249521417.jpeg` },
  { user_id: '249521436', nickname: '陈晓', avatar: `${AVATAR}249521436.jpeg` },
];

export const DEPARTMENTS: ReadonlyArray<{ department_id: string; name: string }> = [
  { department_id: '3001', name: '外贸一部' },
  { department_id: '3002', name: '外贸二部' },
];

/** 财务确认人 (payee) candidates. */
export const PAYEES = ['阿红', '李会计', 'Amy', '周敏'] as const;

export const CUSTOMERS: ReadonlyArray<{ name: string; k3Number: string }> = [
  { name: 'Acme Trading Co., Ltd.', k3Number: 'CUST0001' },
  { name: 'Nordic Home Supplies AB', k3Number: 'CUST0002' },
  { name: 'Sunrise Imports LLC', k3Number: 'CUST0003' },
  { name: 'Hanseatic Tools GmbH', k3Number: 'CUST0004' },
  { name: 'Pacific Rim Distributors Pty', k3Number: 'CUST0005' },
  { name: 'Distribuidora Andina S.A.', k3Number: 'CUST0006' },
  { name: 'Gulf Building Materials FZE', k3Number: 'CUST0007' },
  { name: '深圳市恒达贸易有限公司', k3Number: 'CUST0008' },
];

export const MATERIALS = ['1.01.001', '1.01.002', '1.02.010', '2.03.005', '3.01.100'] as const;

export const CAPITAL_ACCOUNTS: readonly OkkiCapitalAccountInfo[] = [
  {
    capital_account_id: 1100231,
    capital_account_name: '中行美元账户',
    capital_name: '宁波海纳进出口有限公司',
    capital_bank: '中国银行宁波分行',
    bank_account: '3801 5812 0000 4417 2',
    capital_account_address: '浙江省宁波市鄞州区',
    capital_account_remark: '',
  },
  {
    capital_account_id: 1100232,
    capital_account_name: '招行人民币基本户',
    capital_name: '宁波海纳进出口有限公司',
    capital_bank: '招商银行宁波分行营业部',
    bank_account: '574903218810201',
    capital_account_address: '浙江省宁波市江北区',
    capital_account_remark: '基本户',
  },
  {
    capital_account_id: 1100247,
    capital_account_name: 'HSBC HK USD',
    capital_name: 'HAINA TRADING (HK) LIMITED',
    capital_bank: 'The Hongkong and Shanghai Banking Corporation Limited',
    bank_account: '808-123456-838',
    capital_account_address: "1 Queen's Road Central, Hong Kong",
    capital_account_remark: 'SWIFT HSBCHKHHHKH',
  },
];

export const COMMENTS = [
  '',
  '',
  '1',
  '定金',
  '尾款',
  'Balance payment',
  '30% deposit',
  '货款 PI-2025-031',
  'partial',
] as const;
