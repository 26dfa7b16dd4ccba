import { translator, type Config, type Logger } from '@receipt-sync/core';
import { DEFAULT_MAPPING } from '@receipt-sync/mapping';
import type { DoctorContext, RecentReceipt } from '../types';
import { dryRunCheck } from './dry-run';

/** The newest receipt as OKKI lists it: no order, and a real_amount that is not a number. */
const NEWEST = {
  cash_collection_id: 5221565014,
  cash_collection_no: 'HK202504150113',
  update_time: '2025-04-15 17:50:00',
  order_id: 0,
  collection_date: '2025-04-16',
  amount: '201.00',
  currency: 'CNY',
  real_amount: 'abc',
  bank_charge: '1.00',
  type: 'T/T',
} as unknown as RecentReceipt;

function context(locale: 'zh-CN' | 'en'): DoctorContext {
  return {
    env: {},
    t: translator(locale),
    logger: {} as Logger,
    config: { okki: { enrichBank: false } } as Config,
    mapping: DEFAULT_MAPPING,
    recent: [NEWEST],
  };
}

describe('doctor mapping dry run', () => {
  it('says in Chinese why the newest receipt would be quarantined', async () => {
    expect(await dryRunCheck.run(context('zh-CN'))).toMatchObject({
      name: 'mapping-dry-run',
      status: 'warn',
      message:
        '最新回款单 HK202504150113 会被隔离：回款单在 OKKI 中没有关联销售订单。；' +
        '回款单 HK202504150113（id 5221565014），real_amount（→ F_PBLH_Decimal）：不是小数："abc"',
    });
  });

  it('says the same in English under an English terminal', async () => {
    const result = await dryRunCheck.run(context('en'));
    expect(result).toMatchObject({ status: 'warn' });
    expect((result as { message: string }).message).toContain(
      'real_amount (→ F_PBLH_Decimal) of receipt HK202504150113 (id 5221565014): not a decimal: "abc"',
    );
  });
});
