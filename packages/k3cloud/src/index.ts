export { K3CloudClient, type SaveResult } from './k3cloud-client';
export type { K3CloudClientOptions } from './client-options';
export type { SaveOptions } from './save-request';
export type { BatchSaveOutcome, ModelSaveResult } from './save-results';
export { k3In, k3Quote, MAX_PAGE_SIZE, queryPages, type BillQueryRequest, type K3CloudFilterItem } from './bill-query';
export { buildSignedHeaders, decodeAppSecret, kdHmac, loginBySignSign, type SignedHeaderInput } from './signing';
export { k3ErrorFor, unknownFieldKeys } from './k3-errors';
export type { K3CloudOperation, StatusOperation } from './service-path';
export { findUnknownFieldKeys, type FieldKeyProbe } from './metadata-probe';
export { LoginGate, LOGIN_COOL_DOWNS_MS, type LoginGateOptions } from './login-gate';
export {
  requestFilterRefusal,
  requestFilterSuspects,
  type RequestFilterRefusal,
  type RequestFilterSuspect,
} from './request-filter';
