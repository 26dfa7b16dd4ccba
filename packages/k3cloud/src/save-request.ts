import { InvalidInputError } from '@receipt-sync/core';
import type { ModelKey } from './save-results';

/** Save/BatchSave parameters (docs/apis/k3cloud.md §4); only what is set is sent, so K3 defaults apply. */
export interface SaveOptions {
  /** Default true on the server: rows of a processed entity not in the package are deleted (§4.1). */
  isDeleteEntry?: boolean;
  needUpDateFields?: string[];
  needReturnFields?: string[];
  isVerifyBaseDataField?: boolean;
  isAutoSubmitAndAudit?: boolean;
  validateFlag?: boolean;
  isEntryBatchFill?: boolean;
  numberSearch?: boolean;
  interationFlags?: string;
  ignoreInterationFlag?: boolean;
  subSystemId?: string;
  /** BatchSave only: server threads; DIndex then counts within each batch. */
  batchCount?: number;
}

const KEYS: Array<[keyof SaveOptions, string]> = [
  ['needUpDateFields', 'NeedUpDateFields'],
  ['needReturnFields', 'NeedReturnFields'],
  ['isDeleteEntry', 'IsDeleteEntry'],
  ['subSystemId', 'SubSystemId'],
  ['isVerifyBaseDataField', 'IsVerifyBaseDataField'],
  ['isEntryBatchFill', 'IsEntryBatchFill'],
  ['validateFlag', 'ValidateFlag'],
  ['numberSearch', 'NumberSearch'],
  ['interationFlags', 'InterationFlags'],
  ['ignoreInterationFlag', 'IgnoreInterationFlag'],
  ['isAutoSubmitAndAudit', 'IsAutoSubmitAndAudit'],
  ['batchCount', 'BatchCount'],
];

/** The `data` object: options first, then `Model` (field order matters to K3, docs/apis/k3cloud.md §4). */
export function saveData(model: unknown, options: SaveOptions = {}): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const [key, k3Key] of KEYS) if (options[key] !== undefined) data[k3Key] = options[key];
  data.Model = model;
  return data;
}

/** FID and FBillNo of a model, to match SuccessEntitys (Id, Number) back to it. */
export function modelKey(model: Record<string, unknown>): ModelKey {
  const pick = (name: string) => model[Object.keys(model).find((k) => k.toLowerCase() === name) ?? ''];
  const fid = Number(pick('fid'));
  const billNo = pick('fbillno');
  return {
    fid: Number.isInteger(fid) && fid > 0 ? fid : undefined,
    billNo: typeof billNo === 'string' && billNo !== '' ? billNo : undefined,
  };
}

/** Models must be objects; checked before anything is sent. */
export function checkModels(formId: string, models: unknown[]): void {
  const issues: string[] = [];
  if (!formId) issues.push('formId is empty');
  if (models.length === 0) issues.push('no models');
  models.forEach((m, i) => {
    if (typeof m !== 'object' || m === null || Array.isArray(m)) issues.push(`model ${i} is not an object`);
  });
  if (issues.length) throw new InvalidInputError(`k3cloud save ${formId}`, issues);
}
