import { InvalidInputError } from '@receipt-sync/core';
import {
  buildSaveOptions,
  describeReceipt,
  loadMapping,
  needsEnrichment,
  previewReceipt,
  type Mapping,
} from '@receipt-sync/mapping';
import { EXIT, UsageError } from '../exit-codes';
import { printJson, printLine } from '../output';
import { readJsonObject } from '../read-json-file';

export interface PreviewOptions {
  info?: string;
  removed?: boolean;
  mapping?: string;
  json?: boolean;
}

function mappingFrom(path: string | undefined): Mapping {
  try {
    return loadMapping(path);
  } catch (error) {
    if (error instanceof InvalidInputError) throw new UsageError(`mapping ${error.message}`);
    throw error;
  }
}

/**
 * `mapping preview <receipt.json>`: the BatchSave Model one OKKI receipt becomes, or the quality
 * problems that would quarantine it. Reads files only; no Redis, OKKI or K3Cloud needed.
 */
export async function mappingPreview(file: string, opts: PreviewOptions): Promise<number> {
  const receipt = readJsonObject(file, 'receipt');
  const info = opts.info ? readJsonObject(opts.info, 'info') : undefined;
  const mapping = mappingFrom(opts.mapping ?? (process.env.MAPPING_FILE || undefined));
  const removed = opts.removed === true;
  const preview = previewReceipt({ receipt, info, removed }, mapping);
  const notes: string[] = [];
  if (!info && needsEnrichment(mapping))
    notes.push('no --info given: bank fields (info.*) are left out, as when enrichment is off');
  const row = preview.row;

  if (opts.json) {
    printJson({
      receipt: describeReceipt(receipt),
      maps: preview.problems.length === 0,
      removed,
      formId: mapping.formId,
      entity: mapping.entity,
      orderKeyField: mapping.order.targetField,
      orderKey: row?.orderKey ?? null,
      rowKeyField: mapping.rowKey.targetField,
      rowKey: row?.rowKey ?? null,
      contentHash: row?.contentHash ?? null,
      saveOptions: buildSaveOptions(mapping),
      payload: preview.payload ?? null,
      problems: preview.problems,
      notes,
    });
  } else if (row && preview.payload) {
    printLine(
      `${describeReceipt(receipt)}${removed ? ' [removed in OKKI]' : ''} → ${mapping.formId} ${mapping.entity} row`,
    );
    printLine(
      `  sales order: ${mapping.order.targetField} = ${row.orderKey} (the writer puts that order's FID where the Model says 0)`,
    );
    printLine(`  row key:     ${mapping.rowKey.targetField} = ${row.rowKey} (an existing row's FEntryID replaces 0)`);
    printLine(`  options:     ${JSON.stringify(buildSaveOptions(mapping))}`);
    printLine('  Model:');
    printLine(JSON.stringify(preview.payload, null, 2).replace(/^/gm, '    '));
    for (const note of notes) printLine(`  note: ${note}`);
  } else {
    printLine(
      `${describeReceipt(receipt)} does not map (${preview.problems.length} problem${preview.problems.length === 1 ? '' : 's'}); the pipeline would quarantine it:`,
    );
    for (const p of preview.problems) printLine(`  - [${p.rule}] ${p.message}`);
  }
  return preview.problems.length === 0 ? EXIT.ok : EXIT.qualityProblems;
}
