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
  /**
   * The newest calls (at most SUBJECT_AUDIT_LIMIT) about one receipt or order (`subjects`),
   * newest first, without their `subjects`; indexed, not scanned. Kept within the audit's own
   * bounds (MongoDB: limit and TTL of the log; Redis: SUBJECT_AUDIT_TTL_DAYS per subject).
   */
  forSubject(subject: string, limit?: number): Promise<ApiCallRecord[]>;
  /** The store's one buffered sink (same instance on every call); flushed by `SyncStore.close()`. */
  sink(): AuditSink;
}

/** @defaultValue of `auditLimit`: records kept per deployment. */
export const DEFAULT_AUDIT_LIMIT = 50_000;
/** Calls kept per receipt or order for its page. */
export const SUBJECT_AUDIT_LIMIT = 50;
/** Redis keeps a receipt's or order's calls this long after its last call (bounded memory). */
export const SUBJECT_AUDIT_TTL_DAYS = 7;
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
  subjects: z.array(z.string()).optional(),
}) satisfies z.ZodType<ApiCallRecord>;
