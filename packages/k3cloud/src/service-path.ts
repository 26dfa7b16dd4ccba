/** Operations this client calls and the service each belongs to (docs/apis/k3cloud.md §2, §3). */
export type K3CloudOperation =
  | 'ValidateUser'
  | 'LoginByAppSecret'
  | 'Logout'
  | 'Save'
  | 'BatchSave'
  | 'ExecuteBillQuery'
  | 'BillQuery'
  | StatusOperation;

/** Operations that move a bill's document status (docs/apis/k3cloud.md §3, §7). */
export type StatusOperation = 'Submit' | 'Audit' | 'UnAudit';

const AUTH_OPS = new Set<K3CloudOperation>(['ValidateUser', 'LoginByAppSecret', 'Logout']);

/** `Kingdee.BOS.WebApi.ServicesStub.{Service}.{Op}.common.kdsvc` ("no SDK component" mode, docs/apis/k3cloud.md §1). */
export function serviceName(op: K3CloudOperation): string {
  const service = AUTH_OPS.has(op) ? 'AuthService' : 'DynamicFormService';
  return `Kingdee.BOS.WebApi.ServicesStub.${service}.${op}.common.kdsvc`;
}

export const WRITE_OPS = new Set<K3CloudOperation>(['Save', 'BatchSave', 'Submit', 'Audit', 'UnAudit']);
