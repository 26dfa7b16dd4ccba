import type { RedisClient } from '@receipt-sync/core';
import type { ApiCallRecord } from '@receipt-sync/core';
import { BufferedAuditSink, type AuditSinkTuning } from '../audit-sink';
import {
  apiCallRecordSchema,
  SUBJECT_AUDIT_LIMIT,
  SUBJECT_AUDIT_TTL_DAYS,
  type AuditFilter,
  type AuditRepo,
  type AuditSink,
} from '../model/audit';
import { clampLimit, parseOrThrow } from '../model/validate';
import type { StateKeys } from './keys';
import { execAll, parseJson } from './scripts';

const READ_CHUNK = 1000;

/** A list, newest first, LTRIMmed to `limit` on every append so Redis memory stays bounded. */
export class RedisAudit implements AuditRepo {
  private bufferedSink: BufferedAuditSink | undefined;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: StateKeys,
    private readonly limit: number,
    private readonly sinkTuning: AuditSinkTuning = {},
  ) {}

  async append(records: readonly ApiCallRecord[]): Promise<void> {
    if (records.length === 0) return;
    // LPUSH a b c leaves c at the head: records arrive oldest first, so the head stays the newest.
    const batch = this.redis
      .multi()
      .lpush(this.keys.audit, ...records.map((r) => JSON.stringify(r)))
      .ltrim(this.keys.audit, 0, this.limit - 1);
    for (const { subjects, ...r } of records) {
      // One copy per subject, without the subject list (a BatchSave names up to 100 of them).
      const copy = JSON.stringify(r);
      for (const subject of new Set(subjects ?? [])) {
        const key = this.keys.auditSubject(subject);
        batch
          .lpush(key, copy)
          .ltrim(key, 0, SUBJECT_AUDIT_LIMIT - 1)
          .expire(key, SUBJECT_AUDIT_TTL_DAYS * 86_400);
      }
    }
    await execAll(batch);
  }

  async forSubject(subject: string, limit = SUBJECT_AUDIT_LIMIT): Promise<ApiCallRecord[]> {
    const raws = await this.redis.lrange(
      this.keys.auditSubject(subject),
      0,
      clampLimit(limit, SUBJECT_AUDIT_LIMIT, SUBJECT_AUDIT_LIMIT) - 1,
    );
    return raws.map((raw) => parseOrThrow(apiCallRecordSchema, parseJson(raw), 'store audit record'));
  }

  async recent(limit: number, filter: AuditFilter = {}): Promise<ApiCallRecord[]> {
    const wanted = clampLimit(limit, 100, this.limit);
    const out: ApiCallRecord[] = [];
    for (let start = 0; out.length < wanted && start < this.limit; start += READ_CHUNK) {
      const raws = await this.redis.lrange(this.keys.audit, start, start + READ_CHUNK - 1);
      for (const raw of raws) {
        const record = parseOrThrow(apiCallRecordSchema, parseJson(raw), 'store audit record');
        if (filter.system !== undefined && record.system !== filter.system) continue;
        if (filter.outcome !== undefined && record.outcome !== filter.outcome) continue;
        if (out.length < wanted) out.push(record);
      }
      if (raws.length < READ_CHUNK) break;
    }
    return out;
  }

  sink(): AuditSink {
    this.bufferedSink ??= new BufferedAuditSink({ ...this.sinkTuning, write: (batch) => this.append(batch) });
    return this.bufferedSink;
  }

  /** Stops the sink's timer and writes what it holds (called by the store's close). */
  async closeSink(): Promise<void> {
    await this.bufferedSink?.close();
  }
}
