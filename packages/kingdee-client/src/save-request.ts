/** Save/BatchSave parameters (kingdee spec §4); only what is set is sent, so K3 defaults apply. */
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

/** The `data` object: options first, then `Model` (field order matters to K3, spec §4). */
export function saveData(model: unknown, options: SaveOptions = {}): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const [key, k3Key] of KEYS) if (options[key] !== undefined) data[k3Key] = options[key];
  data.Model = model;
  return data;
}

/** The FID a model targets (for matching SuccessEntitys.Id back to models). */
export function modelFid(model: Record<string, unknown>): number | undefined {
  const key = Object.keys(model).find((k) => k.toLowerCase() === 'fid');
  const fid = key === undefined ? NaN : Number(model[key]);
  return Number.isInteger(fid) && fid > 0 ? fid : undefined;
}
