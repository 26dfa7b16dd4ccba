export { KingdeeClient, type SaveResult } from './kingdee-client';
export type { KingdeeClientOptions } from './client-options';
export type { SaveOptions } from './save-request';
export type { BatchSaveOutcome, ModelSaveResult } from './save-results';
export { k3In, k3Quote, MAX_PAGE_SIZE, type BillQueryRequest, type K3FilterItem } from './bill-query';
export { buildSignedHeaders, decodeAppSecret, kdHmac, loginBySignSign, type SignedHeaderInput } from './signing';
export { k3ErrorFor } from './k3-errors';
