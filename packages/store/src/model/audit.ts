import { z } from 'zod';
import type { ApiAuditSink, ApiCallRecord, ApiOutcome, ApiSystem } from '@receipt-sync/core';

export interface AuditFilter {
  system?: ApiSystem;
  outcome?: ApiOutcome;
}

export interface AuditSinkStats {
  /** Records waiting to be written. */
  buffered: number;
  /** Records thrown away because the buffer was full (oldest first). */
  dropped: number;
  /** Records written to the store. */
  written: number;
  /** Batches the store refused; their records were put back for the next flush. */
  failedWrites: number;
}

/** An ApiAuditSink that batches writes to the store. `record` never throws and never waits. */
export interface AuditSink extends ApiAuditSink {
  /** Writes everything recorded so far. Never rejects; failures are counted in `stats()`. */
  flush(): Promise<void>;
  stats(): AuditSinkStats;
}

export interface AuditRepo {
  /** Stores records (oldest first, as they happened) and trims the log to its limit, keeping the newest. */
  append(records: readonly ApiCallRecord[]): Promise<void>;
  /** Newest first, at most `limit` (capped at the audit limit), optionally filtered. */
  recent(limit: number, filter?: AuditFilter): Promise<ApiCallRecord[]>;
  /** The store's one buffered sink (same instance on every call); flushed by `SyncStore.close()`. */
  sink(): AuditSink;
}

/** @defaultValue of `auditLimit`: records kept per deployment. */
export const DEFAULT_AUDIT_LIMIT = 50_000;
/** @defaultValue of `auditTtlDays` (MongoDB TTL index on `at`). */
export const DEFAULT_AUDIT_TTL_DAYS = 30;

export const apiCallRecordSchema = z.object({
  system: z.enum(['okki', 'k3cloud']),
  operation: z.string(),
  method: z.string(),
  path: z.string(),
  status: z.number().optional(),
  durationMs: z.number(),
  attempt: z.number(),
  outcome: z.enum([
    'ok',
    'business-error',
    'http-error',
    'network-error',
    'timeout',
    'rate-limited',
    'session-lost',
    'malformed',
    'ambiguous',
  ]),
  errorCode: z.string().optional(),
  message: z.string().optional(),
  at: z.string(),
}) satisfies z.ZodType<ApiCallRecord>;
