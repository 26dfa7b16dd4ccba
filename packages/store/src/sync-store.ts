import type { AuditRepo } from './model/audit';
import type { CheckpointRepo } from './model/checkpoint';
import type { ReceiptHistoryRepo } from './model/history';
import type { LedgerRepo } from './model/ledger';
import type { OrderIndexRepo } from './model/order-index';
import type { WindowRepo } from './model/window';

export type StoreBackend = 'mongodb' | 'redis';

/**
 * All durable state behind one interface (docs/operations.md#configuration: MONGO_URL set → MongoDB, unset →
 * Redis under QUEUE_PREFIX). Callers never see which backend they got, except through `backend`.
 */
export interface SyncStore {
  readonly backend: StoreBackend;
  /** Creates indexes and the like; idempotent, safe on every start-up and from every replica. */
  init(): Promise<void>;
  /** Resolves when the backend answers; rejects otherwise (readiness probe). */
  ping(): Promise<void>;
  /** Flushes the audit sink, then closes the connections this store opened (not a passed-in `redis`). */
  close(): Promise<void>;
  readonly checkpoints: CheckpointRepo;
  readonly windows: WindowRepo;
  readonly ledger: LedgerRepo;
  readonly orders: OrderIndexRepo;
  readonly audit: AuditRepo;
  /** Every version of every receipt seen, and how it arrived (window or push). */
  readonly history: ReceiptHistoryRepo;
}
