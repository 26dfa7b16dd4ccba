import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InvalidInputError } from '@receipt-sync/core';
import defaultMappingJson from '../src/default-mapping.json';
import { DEFAULT_MAPPING, loadMapping, parseMapping } from '../src';

const dir = mkdtempSync(path.join(tmpdir(), 'mapping-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeMapping(name: string, content: unknown): string {
  const file = path.join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

/** The default mapping JSON with `edit` applied to a deep copy. */
function variant(edit: (m: Record<string, unknown> & { fields: Array<Record<string, unknown>> }) => void): unknown {
  const copy = structuredClone(defaultMappingJson) as unknown as Record<string, unknown> & {
    fields: Array<Record<string, unknown>>;
  };
  edit(copy);
  return copy;
}

function loadError(file: string): InvalidInputError {
  try {
    loadMapping(file);
  } catch (error) {
    if (error instanceof InvalidInputError) return error;
    throw error;
  }
  throw new Error(`${file} loaded without error`);
}

describe('the shipped default mapping', () => {
  it('is the documented table (docs/operations.md#default-mapping), field for field', () => {
    const pairs = DEFAULT_MAPPING.fields.map((f) => [f.target, f.type, 'source' in f ? f.source : undefined]);
    expect(pairs).toEqual([
      ['F_PBLH_Date', 'datetime', 'collection_date'],
      ['F_PBLH_Decimal', 'decimal', 'real_amount'],
      ['F_PBLH_Amount', 'decimal', 'amount'],
      ['F_PBLH_BankCharge', 'decimal', 'bank_charge'],
      ['F_PBLH_Currency', 'text', 'currency'],
      ['F_PBLH_PayType', 'text', 'type'],
      ['F_PBLH_TradeNo', 'text', 'trade_no'],
      ['F_PBLH_Remark', 'text', 'comment'],
      ['F_PBLH_Bank', 'enrichment', 'info.capital_account_info.capital_bank'],
      ['F_PBLH_BankAccount', 'enrichment', 'info.capital_account_info.bank_account'],
      ['F_PBLH_Freight', 'customField', 'external_field_data_info.3564970299'],
      ['F_PBLH_InspectionFee', 'customField', 'external_field_data_info.3564970303'],
      ['F_PBLH_Removed', 'removedFlag', undefined],
    ]);
    expect(DEFAULT_MAPPING.rowKey).toEqual({
      targetField: 'F_PBLH_CashCollectionNo',
      source: 'cash_collection_no',
      maxLength: 255,
    });
    expect(DEFAULT_MAPPING.order).toEqual({ targetField: 'F_Cash_Collection_Id', source: 'order_id' });
    expect(Object.isFrozen(DEFAULT_MAPPING.fields[0])).toBe(true);
  });

  it('is what loadMapping returns without a MAPPING_FILE', () => {
    expect(loadMapping()).toBe(DEFAULT_MAPPING);
    expect(loadMapping('')).toBe(DEFAULT_MAPPING);
  });
});

describe('bad mapping files stop start-up with a message naming the file and the entry', () => {
  it.each([
    [
      'bad-type.json',
      variant((m) => {
        m.fields[3]!.type = 'money';
      }),
      'fields[3].type: expected one of text|decimal|datetime|bool|removedFlag|customField|enrichment|lookup|constant',
    ],
    [
      'duplicate.json',
      variant((m) => {
        m.fields[4]!.target = 'F_PBLH_Date';
      }),
      'fields[4].target: duplicate target F_PBLH_Date (also fields[0])',
    ],
    [
      'row-key-dup.json',
      variant((m) => {
        m.fields[2]!.target = 'F_PBLH_CashCollectionNo';
      }),
      'fields[2].target: duplicate target F_PBLH_CashCollectionNo (also rowKey.targetField)',
    ],
    [
      'empty.json',
      variant((m) => {
        m.fields = [];
      }),
      'fields: must list at least one field',
    ],
    [
      'bad-key.json',
      variant((m) => {
        m.fields[1]!.target = 'PBLH Decimal';
      }),
      'fields[1].target: must be a K3Cloud key matching /^F[A-Za-z0-9_]+$/',
    ],
    [
      'bad-entity.json',
      variant((m) => {
        m.entity = 'X_Entity';
      }),
      'entity: must be a K3Cloud key',
    ],
    [
      'typo.json',
      variant((m) => {
        m.fields[1]!.palces = 2;
      }),
      'fields[1]: unknown key(s) palces',
    ],
    [
      'places.json',
      variant((m) => {
        m.fields[1]!.places = 'two';
      }),
      'fields[1].places: Invalid input: expected number, received string',
    ],
    [
      'delete.json',
      variant((m) => {
        m.saveOptions = { IsDeleteEntry: true };
      }),
      'saveOptions.IsDeleteEntry: must be false',
    ],
    [
      'version.json',
      variant((m) => {
        m.version = 2;
      }),
      'version: Invalid input: expected 1',
    ],
    [
      'custom.json',
      variant((m) => {
        m.fields[10]!.source = 'freight';
      }),
      'fields[10].source: must be external_field_data_info.<field id>',
    ],
    [
      'default.json',
      variant((m) => {
        m.fields[2]!.default = 'n/a';
      }),
      'fields[2].default: not a decimal: "n/a"',
    ],
    ['not-json.json', '{"version": 1,', 'not valid JSON'],
    ['array.json', '[]', '(root): Invalid input: expected object, received array'],
  ])('%s', (name, content, expected) => {
    const file = writeMapping(name, content);
    const error = loadError(file);
    expect(error.message.startsWith(`${file}: `)).toBe(true);
    expect(error.message).toContain(expected);
    expect(error.disposition).toBe('permanent');
  });

  it('names a mapping file that cannot be read', () => {
    const missing = path.join(dir, 'nope.json');
    expect(() => loadMapping(missing)).toThrow(`${missing}: cannot read the mapping file (ENOENT)`);
  });

  it('parseMapping names the source it was given', () => {
    expect(() => parseMapping({ version: 1 }, 'env MAPPING_FILE')).toThrow(/^env MAPPING_FILE: formId: /);
  });
});
