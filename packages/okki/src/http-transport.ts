import type { IncomingHttpHeaders } from 'node:http';
import { safePath, type ApiAuditSink, type ApiOutcome } from '@receipt-sync/core';
import {
  AuthenticationError,
  errorCode,
  HttpStatusError,
  MalformedResponseError,
  NetworkError,
  OkkiBusinessError,
  RateLimitedError,
  RequestTimeoutError,
} from '@receipt-sync/core';
import type { Logger } from '@receipt-sync/core';
import type { Lane, SharedPacer } from '@receipt-sync/core';
import { Pool } from 'undici';
import type { OkkiOperation } from './client-options';
import { TokenRejectedError } from './client-errors';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

export interface OkkiRequest {
  operation: OkkiOperation;
  method: 'GET' | 'POST';
  /** Path with query string; only its path part reaches audit records and logs. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Receipt ids the call is about (copied to the audit record). */
  subjects?: string[];
  /** Which lane of the shared pacer the call waits in (default live). */
  lane?: Lane;
}

function outcomeOf(error: unknown): ApiOutcome {
  if (error instanceof RateLimitedError) return 'rate-limited';
  if (error instanceof RequestTimeoutError) return 'timeout';
  if (error instanceof NetworkError) return 'network-error';
  if (error instanceof MalformedResponseError) return 'malformed';
  if (error instanceof OkkiBusinessError) return 'business-error';
  if (error instanceof TokenRejectedError) return 'session-lost';
  if (error instanceof AuthenticationError || error instanceof HttpStatusError) return 'http-error';
  return 'network-error';
}

/**
 * One HTTP attempt to OKKI: paced through the shared pacer, bounded by a per-attempt timeout,
 * interpreted into data or a typed error, then audited and debug-logged. Headers and bodies never
 * reach the audit record or the log, so neither the token nor the client secret can leak there.
 */
export class OkkiTransport {
  private readonly pool: Pool;
  private readonly prefix: string;

  constructor(
    baseUrl: string,
    private readonly timeoutMs: number,
    connections: number,
    private readonly pacer: SharedPacer,
    private readonly audit: ApiAuditSink,
    private readonly logger: Logger,
  ) {
    const url = new URL(baseUrl);
    this.pool = new Pool(url.origin, { connections, keepAliveTimeout: 10_000 });
    this.prefix = url.pathname.replace(/\/+$/, '');
  }

  async send<T>(request: OkkiRequest, attempt: number, interpret: (raw: RawResponse) => T): Promise<T> {
    return this.pacer.schedule(async () => {
      const at = new Date();
      const started = performance.now();
      let status: number | undefined;
      try {
        const raw = await this.exchange(request);
        status = raw.status;
        const result = interpret(raw);
        this.report(request, attempt, at, started, status, 'ok');
        return result;
      } catch (error) {
        this.report(request, attempt, at, started, status, outcomeOf(error), error);
        throw error;
      }
    }, request.lane);
  }

  private async exchange(request: OkkiRequest): Promise<RawResponse> {
    const signal = AbortSignal.timeout(this.timeoutMs);
    try {
      const res = await this.pool.request({
        method: request.method,
        path: `${this.prefix}${request.path}`,
        headers: request.headers,
        body: request.body,
        signal,
      });
      const text = await res.body.text();
      return { status: res.statusCode, headers: res.headers, text };
    } catch (error) {
      if (signal.aborted) throw new RequestTimeoutError('okki', this.timeoutMs);
      const code = (error as { code?: string }).code;
      throw new NetworkError('okki', `${request.method} ${safePath(request.path)} failed${code ? ` (${code})` : ''}`);
    }
  }

  private report(
    request: OkkiRequest,
    attempt: number,
    at: Date,
    started: number,
    status: number | undefined,
    outcome: ApiOutcome,
    error?: unknown,
  ): void {
    const durationMs = Math.round(performance.now() - started);
    const path = safePath(request.path);
    const message = error instanceof OkkiBusinessError ? `code ${error.okkiCode} ${error.okkiMessage}` : undefined;
    this.audit.record({
      system: 'okki',
      operation: request.operation,
      method: request.method,
      path,
      ...(status === undefined ? {} : { status }),
      durationMs,
      attempt,
      outcome,
      ...(error === undefined ? {} : { errorCode: errorCode(error) }),
      ...(message === undefined ? {} : { message }),
      at: at.toISOString(),
      ...(request.subjects?.length ? { subjects: request.subjects } : {}),
    });
    this.logger.debug(
      {
        system: 'okki',
        operation: request.operation,
        method: request.method,
        path,
        status,
        durationMs,
        attempt,
        outcome,
        ...(error === undefined ? {} : { errorCode: errorCode(error) }),
      },
      'okki call',
    );
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}
