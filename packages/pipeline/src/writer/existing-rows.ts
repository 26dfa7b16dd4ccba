import { queryPages } from '@receipt-sync/k3cloud';
import type { K3CloudWriter } from './ports';

export interface RowLocator {
  formId: string;
  entity: string;
  rowKeyField: string;
}

/** (FID, row key) → FEntryIDs of rows already in K3Cloud, lowest first. */
export type ExistingRows = Map<string, number[]>;

export const rowSlot = (fid: number, rowKey: string): string => `${fid}|${rowKey}`;

const CHUNK = 200;

/**
 * Reads the rows the given orders already carry in the receipt entity. This read-before-write is
 * what makes every save an upsert keyed on the receipt number: a retry after an ambiguous failure
 * (save applied, answer lost) finds the row and updates it instead of appending a duplicate.
 * The entry key alias `<Entity>_FEntryID` follows docs/apis/k3cloud.md §6 (custom-entity naming UNVERIFIED).
 */
export async function readExistingRows(k3: K3CloudWriter, locator: RowLocator, fids: number[]): Promise<ExistingRows> {
  const out: ExistingRows = new Map();
  const unique = [...new Set(fids)].filter((f) => Number.isInteger(f) && f > 0);
  for (let i = 0; i < unique.length; i += CHUNK) {
    const chunk = unique.slice(i, i + CHUNK);
    const rows = await queryPages((q) => k3.executeBillQuery(q), {
      formId: locator.formId,
      fieldKeys: `FID,${locator.entity}_FEntryID,${locator.rowKeyField}`,
      filterString: `FID IN (${chunk.join(',')})`,
      orderString: `FID ASC,${locator.entity}_FEntryID ASC`,
    });
    for (const [fid, entryId, rowKey] of rows) {
      const entry = Number(entryId);
      if (!entry || rowKey === null || rowKey === undefined || rowKey === '') continue;
      const slot = rowSlot(Number(fid), String(rowKey));
      const list = out.get(slot) ?? [];
      list.push(entry);
      list.sort((a, b) => a - b);
      out.set(slot, list);
    }
  }
  return out;
}
