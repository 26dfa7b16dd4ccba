export { OkkiClient, type ListReceiptsQuery, type WebhookRegistration } from './okki-client';
export { DEFAULT_RETRY, type OkkiOperation, type RetryOptions, type OkkiClientOptions } from './client-options';
export { TokenRejectedError, WindowUnstableError } from './client-errors';
export {
  OBJECT_FIELDS,
  parseReceipt,
  parseReceiptPage,
  type InvalidReceipt,
  type ParsedReceipt,
  type ReceiptInfo,
  type ReceiptListItem,
  type ReceiptPage,
} from './receipt-parsing';
export {
  ReceiptWindowReader,
  windowBound,
  type ListPage,
  type WindowItem,
  type WindowOptions,
  type WindowReadStats,
} from './window-reader';
export { parseRetryAfter } from './retry-policy';
