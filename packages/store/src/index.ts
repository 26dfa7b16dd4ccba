/**
 * @receipt-sync/store: durable state (checkpoints, producer windows, ledger, order index, API
 * audit) behind one interface, on MongoDB when MONGO_URL is set and on Redis otherwise.
 */
export { createStore, type CreateStoreOptions } from './create-store';
export type { SyncStore, StoreBackend } from './sync-store';
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
  ERROR_SCAN_LIMIT,
  type ErrorGroup,
  type LedgerEntry,
  type LedgerError,
  type LedgerListFilter,
  type LedgerRepo,
  type OutcomePatch,
  type WrittenRecord,
} from './model/ledger';
export type { OrderIndexRepo, OrderLookup, OrderRef } from './model/order-index';
export {
  DEFAULT_AUDIT_LIMIT,
  DEFAULT_AUDIT_TTL_DAYS,
  type AuditFilter,
  type AuditRepo,
  type AuditSink,
  type AuditSinkStats,
} from './model/audit';
