import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FIXTURES, lastJson, runCli } from './run-cli';

const receipt = path.join(FIXTURES, 'receipt.json');
const problems = path.join(FIXTURES, 'receipt-problems.json');
const info = path.join(FIXTURES, 'info.json');

/** The BatchSave Model the default mapping (docs/operations.md#default-mapping) makes of fixtures/receipt.json. */
const EXPECTED_ROW = {
  FEntryID: 0,
  F_PBLH_CashCollectionNo: 'HK202504150112',
  F_PBLH_Date: '2025-04-16 00:00:00',
  F_PBLH_Decimal: '200.00',
  F_PBLH_Amount: '201.00',
  F_PBLH_BankCharge: '1.00',
  F_PBLH_Currency: 'CNY',
  F_PBLH_PayType: 'T/T',
  F_PBLH_TradeNo: null,
  F_PBLH_Remark: '1',
  F_PBLH_Freight: '444',
  F_PBLH_InspectionFee: '3.5',
  F_PBLH_Removed: false,
};

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'cli-preview-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('cli mapping preview', () => {
  it('prints the Model a mappable receipt becomes and exits 0', () => {
    const run = runCli(['mapping', 'preview', receipt, '--json']);
    expect(run.status).toBe(0);
    expect(lastJson(run)).toMatchObject({
      maps: true,
      orderKeyField: 'F_Cash_Collection_Id',
      orderKey: '3564000001',
      rowKey: 'HK202504150112',
      saveOptions: { IsDeleteEntry: false, IsAutoSubmitAndAudit: false, IsVerifyBaseDataField: false },
      payload: { FID: 0, F_PBLH_Entity: [EXPECTED_ROW] },
      problems: [],
    });
  });

  it('shows the same Model to a person, with bank fields from --info and the removed flag from --removed', () => {
    const run = runCli(['mapping', 'preview', receipt, '--info', info, '--removed']);
    expect(run.status).toBe(0);
    const shown = run.stdout.slice(run.stdout.indexOf('Model:'));
    const model = JSON.parse(shown.slice(shown.indexOf('{'), shown.lastIndexOf('}') + 1));
    expect(model).toEqual({
      FID: 0,
      F_PBLH_Entity: [
        {
          ...EXPECTED_ROW,
          F_PBLH_Bank: '中国银行深圳分行',
          F_PBLH_BankAccount: '6217 0000 1234 5678',
          F_PBLH_Removed: true,
        },
      ],
    });
    expect(run.stdout).toContain('F_Cash_Collection_Id = 3564000001');
  });

  it('lists the quality problems and exits 3 when the receipt would be quarantined', () => {
    const run = runCli(['mapping', 'preview', problems, '--json']);
    expect(run.status).toBe(3);
    const out = lastJson(run) as {
      maps: boolean;
      payload: unknown;
      problems: Array<{ rule: string; message: string }>;
    };
    expect(out.maps).toBe(false);
    expect(out.payload).toBeNull();
    expect(out.problems.map((p) => p.rule).sort()).toEqual(['no-order', 'not-a-number']);
    expect(out.problems.find((p) => p.rule === 'no-order')?.message).toBe('receipt has no sales order');

    const human = runCli(['mapping', 'preview', problems]);
    expect(human.status).toBe(3);
    expect(human.stdout).toMatch(/real_amount .*not a decimal/);
  });

  it('says the problems in Chinese under LANG=zh_CN, while --json keeps the English messages', () => {
    const zh = { LANG: 'zh_CN.UTF-8', LC_ALL: '', LC_MESSAGES: '' };
    const human = runCli(['mapping', 'preview', problems], zh);
    expect(human.status).toBe(3);
    expect(human.stdout).toContain('回款单 HK202504150113（id 5221565014） 无法映射（2 个问题）');
    expect(human.stdout).toContain('  - [no-order] 回款单在 OKKI 中没有关联销售订单。');
    expect(human.stdout).toContain(
      '  - [not-a-number] 回款单 HK202504150113（id 5221565014），real_amount（→ F_PBLH_Decimal）：不是小数："abc"',
    );
    expect(human.stdout).not.toMatch(/not a decimal|of receipt/);

    const json = lastJson(runCli(['mapping', 'preview', problems, '--json'], zh)) as {
      receipt: string;
      problems: Array<{ rule: string; message: string }>;
    };
    expect(json.receipt).toBe('receipt HK202504150113 (id 5221565014)');
    expect(json.problems.find((p) => p.rule === 'not-a-number')?.message).toBe(
      'real_amount (→ F_PBLH_Decimal) of receipt HK202504150113 (id 5221565014): not a decimal: "abc"',
    );
  });

  it.each([
    ['a missing file', () => path.join(scratch, 'absent.json'), /cannot read it \(ENOENT\)/],
    ['a file that is not JSON', () => write('broken.json', '{"cash_collection_id": '), /not valid JSON/],
    ['a JSON array instead of one receipt', () => write('list.json', '[]'), /expected one JSON object, got an array/],
  ])('exits 2 for %s', (_what, file, message) => {
    const run = runCli(['mapping', 'preview', file()]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
  });

  it('exits 2 for a mapping file that fails validation, naming the bad entry', () => {
    const mapping = write(
      'mapping.json',
      JSON.stringify({ version: 1, formId: 'SAL_SaleOrder', entity: 'F_PBLH_Entity', fields: [] }),
    );
    const run = runCli(['mapping', 'preview', receipt, '--mapping', mapping]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/mapping\.json.*(order|rowKey|fields)/);
  });
});

function write(name: string, content: string): string {
  const file = path.join(scratch, name);
  writeFileSync(file, content);
  return file;
}
