import { versionDigest } from './version-digest';

describe('versionDigest', () => {
  const listed = {
    cash_collection_id: 7,
    update_time: '2025-04-16 10:00:00',
    amount: '100.00',
    comment: 'first',
    order_info: { order_id: 9, name: 'PI-9', order_no: 'PI-9', extra: 1 },
    external_field_data_info: { '3564970299': '5', '3564970303': '2' },
  };

  it('tells two edits of one second apart', () => {
    expect(versionDigest({ ...listed, comment: 'second' })).not.toBe(versionDigest(listed));
  });

  it('digests a version the same whether it was listed or fetched with receipt/info', () => {
    const fetched = {
      ...listed,
      order_info: { order_id: 9, name: 'PI-9', order_no: 'PI-9' },
      capital_account_info: { capital_bank: 'ICBC' },
      enable_flag: 1,
      users: [],
      '3564970299': '5',
    };
    expect(versionDigest(fetched)).toBe(versionDigest(listed));
    expect(versionDigest({ ...listed, external_field_data_info: { '3564970303': '2', '3564970299': '5' } })).toBe(
      versionDigest(listed),
    );
  });
});
