import type { StoredRow } from './sim-protocol';

/** Canonical text of a row: its order and its fields in key order (FEntryID already left out). */
function canonical(row: StoredRow): string {
  const keys = Object.keys(row.fields).sort();
  return JSON.stringify([row.fid, keys.map((k) => [k, row.fields[k]])]);
}

/**
 * The naive sync and the pipeline, run on identical fresh data, must leave identical rows: same
 * sales order, same field values, one row per receipt. Returns what differs, receipt by receipt.
 */
export function compareRows(
  receiptNos: string[],
  naive: Record<string, StoredRow[]>,
  pipeline: Record<string, StoredRow[]>,
): { compared: number; identical: number; differences: string[] } {
  const differences: string[] = [];
  let identical = 0;
  for (const no of receiptNos) {
    const a = naive[no] ?? [];
    const b = pipeline[no] ?? [];
    if (a.length !== 1 || b.length !== 1) {
      differences.push(`${no}: ${a.length} naive row(s), ${b.length} pipeline row(s)`);
      continue;
    }
    const [ca, cb] = [canonical(a[0]!), canonical(b[0]!)];
    if (ca === cb) {
      identical += 1;
      continue;
    }
    const fields = new Set([...Object.keys(a[0]!.fields), ...Object.keys(b[0]!.fields)]);
    const which = [...fields].filter((k) => JSON.stringify(a[0]!.fields[k]) !== JSON.stringify(b[0]!.fields[k]));
    if (a[0]!.fid !== b[0]!.fid) which.unshift('FID');
    differences.push(`${no}: differs in ${which.join(', ')}`);
  }
  return { compared: receiptNos.length, identical, differences };
}
