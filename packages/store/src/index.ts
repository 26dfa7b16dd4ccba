/**
 * @receipt-sync/store: durable state (checkpoints, producer windows, ledger, order index, API
 * audit) behind one interface, on MongoDB when MONGO_URL is set and on Redis otherwise.
 */
export { createStore, type CreateStoreOptions } from './create-store';
export type { SyncStore, StoreBackend } from './sync-store';
export type { MongoSyncStore } from './mongo/mongo-store';
export { MIN_MONGODB_VERSION, TESTED_FERRETDB_VERSION, type MongoServerInfo } from './mongo/server-info';
export { BufferedAuditSink, type BufferedAuditSinkOptions, type AuditSinkTuning } from './audit-sink';
export {
  MAX_COMPLETED_INTERVALS,
  mergeIntervals,
  type Checkpoint,
  type CheckpointRepo,
  type TimeInterval,
} from './model/checkpoint';
export {
  DEFAULT_WINDOW_LIMIT,
  WINDOW_STATUSES,
  type NewWindow,
  type WindowCounts,
  type WindowPatch,
  type WindowRecord,
  type WindowRepo,
  type WindowStatus,
} from './model/window';
export {
  ERROR_SAMPLE_SIZE,
  type ErrorGroup,
  type FailureQuery,
  type LedgerPage,
  type LedgerEntry,
  type LedgerError,
  type LedgerListFilter,
  type LedgerRepo,
  type OutcomePatch,
  type TouchRecord,
  type WrittenRecord,
} from './model/ledger';
export { errorCause, reasonTemplate, type ErrorCause } from './model/error-cause';
export { isStaleVersion } from './model/ledger-rules';
export { problemWhySchema } from './model/ledger';
export {
  HISTORY_LIMIT,
  RECEIPT_SOURCES,
  type NewReceiptVersion,
  type ReceiptHistoryRepo,
  type ReceiptSource,
  type ReceiptVersion,
} from './model/history';
export type { OrderIndexRepo, OrderLookup, OrderRef } from './model/order-index';
export {
  DEFAULT_AUDIT_LIMIT,
  DEFAULT_AUDIT_TTL_DAYS,
  SUBJECT_AUDIT_LIMIT,
  type AuditFilter,
  type AuditRepo,
  type AuditSink,
  type AuditSinkStats,
} from './model/audit';
export { SERIES, TimeSeries, type SeriesName, type SeriesPoint } from './series';
