import { evaluateField, fieldSourceName } from './evaluate-field';
import { checkRealAmount } from './real-amount';
import {
  NO_ORDER_MESSAGE,
  checkReceiptId,
  checkUpdateTime,
  describeReceipt,
  readOrderKey,
  receiptIdentity,
  readRowKey,
  type KeyProblem,
} from './receipt-keys';
import type { Mapping } from './schema';
import { isRecord } from './source-path';
import type { FieldValue, MappingInput, QualityProblem } from './types';

/** Everything the rules and converters found out about one receipt. */
export interface Evaluation {
  problems: QualityProblem[];
  orderKey?: string;
  rowKey?: string;
  /** Row fields other than the row key, in mapping order; omitted fields are absent. */
  fields: Record<string, FieldValue>;
}

interface Who {
  text: string;
  no: string;
  id: string;
}

function toProblem(problem: KeyProblem, who: Who, target?: string): QualityProblem {
  const message =
    problem.rule === 'no-order'
      ? NO_ORDER_MESSAGE // docs/operations.md#outcomes: the quarantine reason is exactly this text
      : `${problem.field}${target ? ` (→ ${target})` : ''} of ${who.text}: ${problem.detail}`;
  const params = { ...problem.why.params, field: problem.field, target: target ?? '', no: who.no, id: who.id };
  return { field: problem.field, rule: problem.rule, message, why: { key: problem.why.key, params } };
}

/** One problem per field and rule: the real-amount check and a field converter may both see junk. */
function dedupe(problems: QualityProblem[]): QualityProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.field}\u0000${p.rule}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Runs every data-quality rule and converter; never throws on bad data. */
export function evaluateReceipt(input: MappingInput, mapping: Mapping): Evaluation {
  const receipt: unknown = input.receipt;
  if (!isRecord(receipt)) {
    return {
      problems: [
        {
          field: '(receipt)',
          rule: 'not-an-object',
          message: `(receipt): expected an object, got ${typeof receipt}`,
          why: { key: 'notAnObject', params: { type: typeof receipt } },
        },
      ],
      fields: {},
    };
  }
  const who = { text: describeReceipt(receipt), ...receiptIdentity(receipt) };
  const problems: QualityProblem[] = [];
  const add = (problem: KeyProblem | undefined, target?: string) => {
    if (problem) problems.push(toProblem(problem, who, target));
  };

  add(checkReceiptId(receipt));
  add(checkUpdateTime(receipt));
  const rowKey = readRowKey(receipt, mapping);
  if (!rowKey.ok) add(rowKey.problem, mapping.rowKey.targetField);
  const orderKey = readOrderKey(receipt, mapping);
  if (!orderKey.ok) add(orderKey.problem, mapping.order.targetField);

  const fields: Record<string, FieldValue> = {};
  for (const field of mapping.fields) {
    const outcome = evaluateField(field, { ...input, receipt });
    if (outcome.kind === 'set') fields[field.target] = outcome.value;
    else if (outcome.kind === 'problem')
      add(
        { field: fieldSourceName(field), rule: outcome.rule, detail: outcome.detail, why: outcome.why },
        field.target,
      );
  }
  if (mapping.quality.checkRealAmount) for (const problem of checkRealAmount(receipt)) add(problem);

  return {
    problems: dedupe(problems),
    fields,
    ...(rowKey.ok ? { rowKey: rowKey.key } : {}),
    ...(orderKey.ok ? { orderKey: orderKey.key } : {}),
  };
}

/** The data-quality rules alone: an empty list means the receipt maps. */
export function checkQuality(input: MappingInput, mapping: Mapping): QualityProblem[] {
  return evaluateReceipt(input, mapping).problems;
}
