import { InvalidInputError, qualityProblemText, receiptName } from '@receipt-sync/core';
import {
  buildSaveOptions,
  describeReceipt,
  loadMapping,
  needsEnrichment,
  previewReceipt,
  receiptIdentity,
  type Mapping,
} from '@receipt-sync/mapping';
import { EXIT, UsageError } from '../exit-codes';
import { printJson, printLine, terminalT } from '../output';
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
    if (error instanceof InvalidInputError)
      throw new UsageError(terminalT()('terminal.usage.mapping', { error: error.message }));
    throw error;
  }
}

/**
 * `mapping preview <receipt.json>`: the BatchSave Model one OKKI receipt becomes, or the quality
 * problems that would quarantine it. Reads files only; no Redis, OKKI or K3Cloud needed.
 */
export async function mappingPreview(file: string, opts: PreviewOptions): Promise<number> {
  const t = terminalT();
  const receipt = readJsonObject(file, 'receipt');
  const info = opts.info ? readJsonObject(opts.info, 'info') : undefined;
  const mapping = mappingFrom(opts.mapping ?? (process.env.MAPPING_FILE || undefined));
  const removed = opts.removed === true;
  const preview = previewReceipt({ receipt, info, removed }, mapping);
  const notes: string[] = [];
  if (!info && needsEnrichment(mapping)) notes.push(t('terminal.mapping.noInfo'));
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
    return preview.problems.length === 0 ? EXIT.ok : EXIT.qualityProblems;
  }
  // People read the receipt and its problems in their language; --json keeps the English messages.
  const who = receiptName(receiptIdentity(receipt), t);
  if (row && preview.payload) {
    printLine(
      t('terminal.mapping.head', {
        receipt: who,
        removed: removed ? t('terminal.mapping.removed') : '',
        form: mapping.formId,
        entity: mapping.entity,
      }),
    );
    printLine(t('terminal.mapping.order', { field: mapping.order.targetField, value: row.orderKey }));
    printLine(t('terminal.mapping.rowKey', { field: mapping.rowKey.targetField, value: row.rowKey }));
    printLine(t('terminal.mapping.options', { options: JSON.stringify(buildSaveOptions(mapping)) }));
    printLine(t('terminal.mapping.model'));
    printLine(JSON.stringify(preview.payload, null, 2).replace(/^/gm, '    '));
    for (const note of notes) printLine(t('terminal.mapping.note', { note }));
  } else {
    printLine(t('terminal.mapping.problems', { receipt: who, count: preview.problems.length }));
    for (const p of preview.problems) printLine(`  - [${p.rule}] ${qualityProblemText(p, t)}`);
  }
  return preview.problems.length === 0 ? EXIT.ok : EXIT.qualityProblems;
}
