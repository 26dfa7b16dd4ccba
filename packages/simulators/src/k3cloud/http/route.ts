export type Service = 'AuthService' | 'DynamicFormService';

/** Operations the simulator serves, keyed by lower-case name (docs/apis/k3cloud.md §1: route matching is case-insensitive). */
const OPERATIONS: Record<string, { service: Service; op: string }> = {
  validateuser: { service: 'AuthService', op: 'ValidateUser' },
  loginbyappsecret: { service: 'AuthService', op: 'LoginByAppSecret' },
  loginbysign: { service: 'AuthService', op: 'LoginBySign' },
  logout: { service: 'AuthService', op: 'Logout' },
  save: { service: 'DynamicFormService', op: 'Save' },
  batchsave: { service: 'DynamicFormService', op: 'BatchSave' },
  executebillquery: { service: 'DynamicFormService', op: 'ExecuteBillQuery' },
  billquery: { service: 'DynamicFormService', op: 'BillQuery' },
  submit: { service: 'DynamicFormService', op: 'Submit' },
  audit: { service: 'DynamicFormService', op: 'Audit' },
  unaudit: { service: 'DynamicFormService', op: 'UnAudit' },
};

export type Route = { known: true; service: Service; op: string } | { known: false; op: string };

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `{sitePath}Kingdee.BOS.WebApi.ServicesStub.{Service}.{Op}.common.kdsvc`, any case (docs/apis/k3cloud.md §1, §8.1). */
export function parseRoute(pathname: string, sitePath: string): Route | undefined {
  const m = new RegExp(
    `^${escape(sitePath)}Kingdee\\.BOS\\.WebApi\\.ServicesStub\\.(AuthService|DynamicFormService)\\.([A-Za-z0-9_]+)\\.common\\.kdsvc$`,
    'i',
  ).exec(pathname);
  if (!m?.[1] || !m[2]) return undefined;
  const entry = OPERATIONS[m[2].toLowerCase()];
  if (!entry || entry.service.toLowerCase() !== m[1].toLowerCase()) return { known: false, op: m[2] };
  return { known: true, ...entry };
}
