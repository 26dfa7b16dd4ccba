import {
  K3CloudCallLimitError,
  K3CloudFieldUnknownError,
  K3CloudOrderLockedError,
  K3CloudNetworkControlError,
  K3CloudRejectedError,
  K3CloudSessionLostError,
  K3CloudValidationError,
  type K3CloudFieldError,
  type SyncError,
} from '@receipt-sync/core';
import type { ResponseStatus } from './response-schemas';

/** Spec §5.3: 网控 text, seen with MsgCode 0 in real captures. */
const NETWORK_CONTROL = /冲突[，,]\s*请稍候再使用/;

/** docs/apis/k3cloud.md §5.3: `元数据中标识为X的字段不存在` (MsgCode 9) names one unknown key. */
const UNKNOWN_FIELD = /元数据中标识为\s*([A-Za-z0-9_.]+)\s*的字段不存在/;
/** docs/apis/k3cloud.md §5.3: a key at the wrong level, `…实体不存在此属性！[EntityType：…]`; the key is FieldName or `Property：X`. */
const NO_SUCH_PROPERTY = /实体不存在此属性/;
const PROPERTY = /Property[：:]\s*([A-Za-z0-9_.]+)/;
/**
 * docs/apis/k3cloud.md §7: a save refused because of the bill's status. The real texts are UNVERIFIED; these match
 * "…不允许修改", "…不能修改/保存" and name the bill (`单据编号为“X”`) and status (`已审核`/`审核中`).
 */
const LOCKED = /(不允许|不能)(修改|保存)/;
const BILL_NO = /单据编号为[“"]([^”"]+)[”"]/;

/** The unknown field keys K3Cloud named in these errors (it names only the first of a request). */
export function unknownFieldKeys(errors: K3CloudFieldError[]): string[] {
  const keys: string[] = [];
  for (const e of errors) {
    const key =
      UNKNOWN_FIELD.exec(e.message)?.[1] ??
      (NO_SUCH_PROPERTY.test(e.message) ? (PROPERTY.exec(e.message)?.[1] ?? e.fieldName ?? '?') : undefined);
    if (key && !keys.includes(key)) keys.push(key);
  }
  return keys;
}

function lockedError(
  errors: K3CloudFieldError[],
  text: string,
  details: Record<string, unknown>,
): SyncError | undefined {
  const hit = errors.find((e) => LOCKED.test(e.message));
  if (!hit) return undefined;
  const billNo = BILL_NO.exec(hit.message)?.[1] ?? '?';
  const status = /审核中/.test(hit.message) ? 'B' : /已审核|已经审核/.test(hit.message) ? 'C' : '?';
  return new K3CloudOrderLockedError(billNo, status, `K3Cloud refused the save: ${text}`, { details });
}

export function fieldErrorsOf(status: ResponseStatus): K3CloudFieldError[] {
  return (status.Errors ?? []).map((e) => ({
    fieldName: e.FieldName ?? null,
    message: e.Message ?? '',
    dIndex: e.DIndex,
  }));
}

/**
 * The typed error for K3 field errors under a MsgCode (docs/apis/k3cloud.md §5.2): 1 session lost; 网控 text
 * or 13 network control; 14 call limit; an unknown field key (§5.3) field-unknown, whatever the MsgCode; a
 * save refused for the bill's status (§7) order-locked; 8/9/11 validation; anything else rejected.
 */
export function k3ErrorFor(msgCode: number, errors: K3CloudFieldError[]): SyncError {
  const text =
    errors.map((e) => (e.fieldName ? `${e.fieldName}: ` : '') + e.message).join('; ') || `MsgCode ${msgCode}`;
  const details = { msgCode, errors };
  if (msgCode === 1) return new K3CloudSessionLostError(errors[0]?.message || undefined, { details });
  if (msgCode === 13 || errors.some((e) => NETWORK_CONTROL.test(e.message)))
    return new K3CloudNetworkControlError(text, { details });
  if (msgCode === 14) return new K3CloudCallLimitError(text, { details });
  const unknown = unknownFieldKeys(errors);
  if (unknown.length > 0) return new K3CloudFieldUnknownError(unknown, text, { details });
  const locked = lockedError(errors, text, details);
  if (locked) return locked;
  if (msgCode === 8 || msgCode === 9 || msgCode === 11) return new K3CloudValidationError(msgCode, errors, { details });
  return new K3CloudRejectedError(msgCode, text, { details });
}

export function statusError(status: ResponseStatus): SyncError {
  return k3ErrorFor(status.MsgCode, fieldErrorsOf(status));
}
