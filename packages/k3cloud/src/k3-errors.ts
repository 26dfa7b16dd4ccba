import {
  K3CloudCallLimitError,
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

export function fieldErrorsOf(status: ResponseStatus): K3CloudFieldError[] {
  return (status.Errors ?? []).map((e) => ({
    fieldName: e.FieldName ?? null,
    message: e.Message ?? '',
    dIndex: e.DIndex,
  }));
}

/**
 * The typed error for K3 field errors under a MsgCode (docs/apis/k3cloud.md §5.2): 1 session lost; 网控 text or 13
 * network control; 14 call limit; 8/9/11 validation; anything else rejected.
 */
export function k3ErrorFor(msgCode: number, errors: K3CloudFieldError[]): SyncError {
  const text =
    errors.map((e) => (e.fieldName ? `${e.fieldName}: ` : '') + e.message).join('; ') || `MsgCode ${msgCode}`;
  const details = { msgCode, errors };
  if (msgCode === 1) return new K3CloudSessionLostError(errors[0]?.message || undefined, { details });
  if (msgCode === 13 || errors.some((e) => NETWORK_CONTROL.test(e.message)))
    return new K3CloudNetworkControlError(text, { details });
  if (msgCode === 14) return new K3CloudCallLimitError(text, { details });
  if (msgCode === 8 || msgCode === 9 || msgCode === 11) return new K3CloudValidationError(msgCode, errors, { details });
  return new K3CloudRejectedError(msgCode, text, { details });
}

export function statusError(status: ResponseStatus): SyncError {
  return k3ErrorFor(status.MsgCode, fieldErrorsOf(status));
}
