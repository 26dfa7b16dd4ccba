import type { Mapping } from './schema';

/** Every K3Cloud key the mapping reads or writes, by role (operating contract: `doctor`, preflight). */
export interface MappedFieldKeys {
  formId: string;
  /** Header field the sales order is looked up by (`F_Cash_Collection_Id`). */
  orderKey: string;
  /** The row's identity field (`F_PBLH_CashCollectionNo`). */
  rowKey: string;
  /** The entry-key alias queries use for the row's FEntryID: `<entity>_FEntryID` (docs/apis/k3cloud.md §6, §7). */
  entryKey: string;
  /** Every other row field the mapping writes. */
  rowFields: string[];
  /** All of the above, lookup field first, each once: the keys a metadata check asks K3Cloud about. */
  all: string[];
}

export function mappedFieldKeys(mapping: Mapping): MappedFieldKeys {
  const rowFields = mapping.fields.map((f) => f.target);
  const entryKey = `${mapping.entity}_FEntryID`;
  const all = [mapping.order.targetField, entryKey, mapping.rowKey.targetField, ...rowFields];
  return {
    formId: mapping.formId,
    orderKey: mapping.order.targetField,
    rowKey: mapping.rowKey.targetField,
    entryKey,
    rowFields,
    all: [...new Set(all)],
  };
}
