/**
 * One record per outbound call to OKKI or K3Cloud: what was called, how it ended, how long it
 * took. Clients emit these; sinks log them, count them (metrics) and keep a bounded history
 * (the store). A sink must never throw into the caller and never receive a secret: records hold
 * the path without query secrets, never headers or bodies.
 */
export type ApiSystem = 'okki' | 'k3cloud';

export type ApiOutcome =
  | 'ok'
  | 'business-error'
  | 'http-error'
  | 'network-error'
  | 'timeout'
  | 'rate-limited'
  | 'session-lost'
  | 'malformed'
  | 'ambiguous';

export interface ApiCallRecord {
  system: ApiSystem;
  /** Logical operation: `token`, `receipt.list`, `receipt.info`, `login`, `BatchSave`, `ExecuteBillQuery`... */
  operation: string;
  method: string;
  /** Path only; query strings are dropped by `safePath`. */
  path: string;
  status?: number;
  durationMs: number;
  /** 1 for the first try of a logical call. */
  attempt: number;
  outcome: ApiOutcome;
  /** Error code (core `errors/`) when the call failed. */
  errorCode?: string;
  message?: string;
  /** ISO-8601 instant the call started. */
  at: string;
  /** Receipt ids and OKKI order ids the call was about, so a receipt's page can list its calls. */
  subjects?: string[];
}

export interface ApiAuditSink {
  record(entry: ApiCallRecord): void;
}

export const noopAudit: ApiAuditSink = { record: () => undefined };

/** Sends each record to every sink; a failing sink does not stop the others or the caller. */
export function fanOutAudit(...sinks: ApiAuditSink[]): ApiAuditSink {
  return {
    record(entry) {
      for (const sink of sinks) {
        try {
          sink.record(entry);
        } catch {
          // An audit sink must never break an API call.
        }
      }
    },
  };
}

/** Keeps records in memory; for tests and for the dashboard's recent-calls view. */
export class MemoryAudit implements ApiAuditSink {
  readonly entries: ApiCallRecord[] = [];
  constructor(private readonly limit = 10_000) {}
  record(entry: ApiCallRecord): void {
    this.entries.push(entry);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
  }
}

/** Drops the query string so tokens or ids passed as parameters never reach an audit record. */
export function safePath(pathWithQuery: string): string {
  const q = pathWithQuery.indexOf('?');
  return q === -1 ? pathWithQuery : pathWithQuery.slice(0, q);
}
