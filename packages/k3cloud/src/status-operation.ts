import { K3CloudRejectedError, MalformedResponseError } from '@receipt-sync/core';
import { fieldErrorsOf, k3ErrorFor } from './k3-errors';
import { parseBody, snippet } from './response-body';
import { saveResponseSchema } from './response-schemas';
import type { StatusOperation } from './service-path';

/**
 * `{"Numbers":[…]}` for Submit / Audit / UnAudit (docs/apis/k3cloud.md §3). Audit and UnAudit verify the workflow
 * (IsVerifyProcInst default true); no interaction is pre-answered, so a step that needs one fails
 * visibly instead of being confirmed for the operator.
 */
export function statusOperationData(billNos: string[]): Record<string, unknown> {
  return { Numbers: billNos, Ids: '', NetworkCtrl: 'false' };
}

/**
 * Reads a Submit / Audit / UnAudit answer (envelope of docs/apis/k3cloud.md §5.1). Every bill must be in
 * SuccessEntitys; otherwise the call throws K3CloudRejectedError naming K3Cloud's message (a
 * session loss or call limit keeps its own type so the client re-logs in or waits).
 */
export function readStatusOperation(op: StatusOperation, text: string, billNos: string[]): void {
  const parsed = saveResponseSchema.safeParse(parseBody(text));
  if (!parsed.success) throw new MalformedResponseError('k3cloud', `${op} envelope expected: ${snippet(text)}`);
  const status = parsed.data.Result.ResponseStatus;
  const done = new Set((status.SuccessEntitys ?? []).map((e) => e.Number ?? ''));
  const errors = fieldErrorsOf(status);
  if (status.IsSuccess && errors.length === 0 && billNos.every((n) => done.has(n) || done.size === 0)) return;
  const typed = k3ErrorFor(status.MsgCode, errors);
  if (typed.disposition === 'transient' || typed.disposition === 'rate-limited') throw typed;
  const message = errors.map((e) => e.message).join('; ') || `MsgCode ${status.MsgCode}`;
  throw new K3CloudRejectedError(status.MsgCode, `${op} refused: ${message}`, { details: { op, billNos, errors } });
}
