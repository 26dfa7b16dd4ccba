import { noopAudit, safePath, type ApiAuditSink, type ApiOutcome } from '@receipt-sync/core';
import {
  AmbiguousWriteError,
  AuthenticationError,
  HttpStatusError,
  InvalidInputError,
  K3CloudRequestFilterError,
  K3CloudSessionLostError,
  MalformedResponseError,
  errorCode,
  type SyncError,
} from '@receipt-sync/core';
import { redact, registerSecret, type Logger } from '@receipt-sync/core';
import { AsyncResource } from 'node:async_hooks';
import Bottleneck from 'bottleneck';
import { setTimeout as sleep } from 'node:timers/promises';
import { MAX_PAGE_SIZE, queryData, queryPages, type BillQueryRequest } from './bill-query';
import { backoffMs, isRetryableRead, outcomeOf } from './call-outcome';
import { resolveClientOptions, type K3CloudClientOptions, type ResolvedClientOptions } from './client-options';
import { K3CloudTransport, type RawResponse } from './http-transport';
import { readBillQuery, readExecuteBillQuery, readLogin, snippet } from './response-body';
import { readSaveResponse, type BatchSaveOutcome } from './save-results';
import { checkModels, modelKey, saveData, type SaveOptions } from './save-request';
import { serviceName, WRITE_OPS, type K3CloudOperation, type StatusOperation } from './service-path';
import { readStatusOperation, statusOperationData } from './status-operation';
import { LoginGate } from './login-gate';
import { sessionHeaders, K3CloudSessionCache, tokensFromCookies, type SessionTokens } from './session-cache';
import { buildSignedHeaders } from './signing';

type Auth = { kind: 'none' } | { kind: 'session'; tokens: SessionTokens } | { kind: 'signed' };
type Interpreted<T> = { value: T; outcome?: ApiOutcome; message?: string };
/**
 * Attempts of one logical call, shared by its retries so audit records count 1, 2, 3..., and the
 * receipts or orders the call is about (copied to every audit record of the call).
 */
type Attempts = { n: number; subjects?: readonly string[] };

export interface SaveResult {
  id: number;
  number: string;
  needReturnData: unknown[];
}

/**
 * K3Cloud WebAPI client (docs/apis/k3cloud.md §1–§6). Every HTTP call goes through the client's
 * concurrency limit (this process's share of KINGDEE_MAX_CONCURRENCY: the active writer holds it all,
 * see docs/scaling.md) and emits one audit record. Writes are never retried after they may have reached the
 * server (AmbiguousWriteError); reads retry transient failures with jittered back-off; a lost
 * session (MsgCode 1) triggers one shared re-login and one retry.
 */
export class K3CloudClient {
  private readonly options: ResolvedClientOptions;
  private readonly transport: K3CloudTransport;
  private readonly limiter: Bottleneck;
  private readonly auditSink: ApiAuditSink;
  private readonly logger?: Logger;
  private readonly sitePath: string;
  private readonly sessions: K3CloudSessionCache;
  private readonly gate: LoginGate;
  /** Signed mode: the session cookie the server set, resent with the signed headers (docs/apis/k3cloud.md §2.3). */
  private signedTokens?: SessionTokens;
  private closed = false;

  constructor(options: K3CloudClientOptions) {
    this.options = resolveClientOptions(options);
    for (const secret of [options.password, options.appSecret]) registerSecret(secret);
    const url = new URL(this.options.baseUrl);
    this.sitePath = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
    this.transport = new K3CloudTransport(url.origin, this.options.timeoutMs, this.options.maxConcurrency);
    this.limiter = new Bottleneck({ maxConcurrent: this.options.maxConcurrency });
    this.auditSink = options.audit ?? noopAudit;
    this.logger = options.logger;
    this.sessions = new K3CloudSessionCache(() => this.login());
    const o = this.options;
    this.gate = new LoginGate({
      redis: options.redis,
      keyPrefix: o.limiterId,
      credentials: [o.baseUrl, o.acctId, o.username, o.password ?? '', o.appId ?? '', o.appSecret ?? ''],
      credentialNames:
        o.credentialNames ??
        (o.appId && o.appSecret
          ? 'the K3Cloud app credentials (appId, appSecret, username)'
          : 'the K3Cloud user and password'),
      coolDownsMs: o.loginCoolDownsMs,
    });
  }

  /**
   * The refusal that currently keeps this client from logging in (credentials rejected, cool-down
   * running), or undefined. Synchronous: readiness checks and `sync:once` poll it.
   */
  loginRefused(): AuthenticationError | undefined {
    return this.gate.current();
  }

  /**
   * Logs in now unless a session exists (at most one login; none while the login gate is closed).
   * Throws the AuthenticationError of refused credentials; `sync:once` calls it before opening a
   * window so a wrong password stops the cycle before anything is fetched.
   */
  async ensureSession(): Promise<void> {
    if (this.options.authMode === 'signed') {
      const blocked = await this.gate.blocked();
      if (blocked) throw blocked;
      return;
    }
    await this.sessions.get();
  }

  /** BatchSave (docs/apis/k3cloud.md §4): one result per model, in model order; partial success is reported per model. */
  async batchSave(
    formId: string,
    models: Array<Record<string, unknown>>,
    options: SaveOptions = {},
    subjects?: readonly string[],
  ): Promise<BatchSaveOutcome> {
    checkModels(formId, models);
    const keys = models.map(modelKey);
    const params = [formId, JSON.stringify(saveData(models, options))];
    return this.withAuth('BatchSave', params, { n: 0, subjects }, (raw) => {
      const outcome = readSaveResponse(raw.text, keys, options.batchCount);
      const failed = outcome.results.filter((r) => !r.ok).length;
      return failed === 0
        ? { value: outcome }
        : { value: outcome, outcome: 'business-error', message: `${failed} of ${models.length} models rejected` };
    });
  }

  /** Save of one model; a rejected model throws its typed error. */
  async save(
    formId: string,
    model: Record<string, unknown>,
    options: Omit<SaveOptions, 'batchCount'> = {},
  ): Promise<SaveResult> {
    checkModels(formId, [model]);
    const params = [formId, JSON.stringify(saveData(model, options))];
    const outcome = await this.withAuth('Save', params, { n: 0 }, (raw) => {
      const read = readSaveResponse(raw.text, [modelKey(model)]);
      const result = read.results[0];
      if (!result?.ok) throw result?.error ?? new MalformedResponseError('k3cloud', 'Save answered without a result');
      return { value: read };
    });
    const result = outcome.results[0];
    return { id: result?.id ?? 0, number: result?.number ?? '', needReturnData: outcome.needReturnData };
  }

  /** Submit: the bills go into approval (B), docs/apis/k3cloud.md §3, §7. Throws K3CloudRejectedError when K3Cloud refuses. */
  submit(formId: string, billNos: string[]): Promise<void> {
    return this.statusOperation('Submit', formId, billNos);
  }

  /** Audit: B → C. Throws K3CloudRejectedError when K3Cloud refuses (workflow, credit checks...). */
  audit(formId: string, billNos: string[]): Promise<void> {
    return this.statusOperation('Audit', formId, billNos);
  }

  /** UnAudit: C → D. Throws K3CloudRejectedError when refused, e.g. "已有下游单据" (docs/apis/k3cloud.md §7). */
  unAudit(formId: string, billNos: string[]): Promise<void> {
    return this.statusOperation('UnAudit', formId, billNos);
  }

  /** One status operation; never retried after it may have reached the server (like a save). */
  private statusOperation(op: StatusOperation, formId: string, billNos: string[]): Promise<void> {
    if (billNos.length === 0) throw new InvalidInputError(`k3cloud ${op}`, ['no bill numbers']);
    const params = [formId, JSON.stringify(statusOperationData(billNos))];
    return this.withAuth(op, params, { n: 0 }, (raw) => ({ value: readStatusOperation(op, raw.text, billNos) }));
  }

  /** ExecuteBillQuery: rows as arrays in FieldKeys order (docs/apis/k3cloud.md §6). */
  async executeBillQuery(request: BillQueryRequest, subjects?: readonly string[]): Promise<unknown[][]> {
    const params = [JSON.stringify(queryData(request))];
    return this.read('ExecuteBillQuery', params, (raw) => ({ value: readExecuteBillQuery(raw.text) }), subjects);
  }

  /** BillQuery: rows as objects keyed by the FieldKeys strings (docs/apis/k3cloud.md §6). */
  async billQuery(request: BillQueryRequest): Promise<Array<Record<string, unknown>>> {
    const params = [JSON.stringify(queryData(request))];
    return this.read('BillQuery', params, (raw) => ({ value: readBillQuery(raw.text) }));
  }

  /** Every row of an ExecuteBillQuery, paging with StartRow/Limit (page ≤ 2000, docs/apis/k3cloud.md §5.4). */
  queryAll(request: BillQueryRequest, pageSize = request.limit || MAX_PAGE_SIZE): Promise<unknown[][]> {
    return queryPages((r) => this.executeBillQuery(r), request, pageSize);
  }

  /** Every row of a BillQuery, paging like `queryAll`. */
  billQueryAll(
    request: BillQueryRequest,
    pageSize = request.limit || MAX_PAGE_SIZE,
  ): Promise<Array<Record<string, unknown>>> {
    return queryPages((r) => this.billQuery(r), request, pageSize);
  }

  /** Logout (best effort, docs/apis/k3cloud.md §2.1: do not leak server contexts), then release connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const tokens = this.sessions.peek();
    if (tokens && this.options.authMode === 'session') {
      await this.exchange('Logout', [], { n: 0 }, { kind: 'session', tokens }, () => ({ value: undefined })).catch(
        () => undefined,
      );
    }
    this.sessions.clear();
    await Promise.allSettled([this.transport.close(), this.limiter.stop({ dropWaitingJobs: true })]);
  }

  private async read<T>(
    op: K3CloudOperation,
    params: unknown[],
    interpret: (raw: RawResponse) => Interpreted<T>,
    subjects?: readonly string[],
  ): Promise<T> {
    const attempts: Attempts = { n: 0, subjects };
    for (let tryNo = 1; ; tryNo++) {
      try {
        return await this.withAuth(op, params, attempts, interpret);
      } catch (error) {
        if (tryNo >= this.options.readAttempts || !isRetryableRead(error)) throw error;
        await sleep(backoffMs(tryNo, this.options.retryBaseMs));
      }
    }
  }

  /** Runs a call with credentials; on MsgCode 1 re-authenticates once and repeats (nothing was applied). */
  private async withAuth<T>(
    op: K3CloudOperation,
    params: unknown[],
    attempts: Attempts,
    interpret: (raw: RawResponse) => Interpreted<T>,
  ): Promise<T> {
    if (this.closed) throw new InvalidInputError('k3cloud client', ['client is closed']);
    if (this.options.authMode === 'signed') {
      const blocked = await this.gate.blocked();
      if (blocked) throw blocked;
      try {
        return await this.exchange(op, params, attempts, { kind: 'signed' }, interpret);
      } catch (error) {
        if (!(error instanceof K3CloudSessionLostError)) throw error;
        this.signedTokens = undefined;
        try {
          return await this.exchange(op, params, attempts, { kind: 'signed' }, interpret);
        } catch (again) {
          // No login can fix a refused signature: surface it as a credentials problem.
          if (again instanceof K3CloudSessionLostError)
            throw await this.gate.refused(new AuthenticationError('k3cloud', again.message, { cause: again }));
          throw again;
        }
      }
    }
    const tokens = await this.sessions.get();
    try {
      return await this.exchange(op, params, attempts, { kind: 'session', tokens }, interpret);
    } catch (error) {
      if (!(error instanceof K3CloudSessionLostError)) throw error;
      this.logger?.info({ op }, 'k3cloud session lost; logging in again');
      this.sessions.invalidate(tokens);
      const fresh = await this.sessions.get();
      return this.exchange(op, params, attempts, { kind: 'session', tokens: fresh }, interpret);
    }
  }

  /**
   * ValidateUser, or LoginByAppSecret when app credentials are configured (docs/apis/k3cloud.md §2.1, §2.2).
   * A refusal for the credentials closes the login gate: no further login with them until its
   * cool-down ends, however many calls are waiting.
   */
  private async login(): Promise<SessionTokens> {
    const blocked = await this.gate.blocked();
    if (blocked) throw blocked;
    const o = this.options;
    const useApp = Boolean(o.appId && o.appSecret);
    const op: K3CloudOperation = useApp ? 'LoginByAppSecret' : 'ValidateUser';
    const params = useApp
      ? [o.acctId, o.username, o.appId, o.appSecret, o.lcid]
      : [o.acctId, o.username, o.password, o.lcid];
    try {
      const tokens = await this.exchange(op, params, { n: 0 }, { kind: 'none' }, (raw) => ({
        value: readLogin(raw.text, raw.setCookies),
      }));
      await this.gate.succeeded();
      return tokens;
    } catch (error) {
      if (error instanceof AuthenticationError) throw await this.gate.refused(error);
      throw error;
    }
  }

  private headersFor(op: K3CloudOperation, auth: Auth): Record<string, string> {
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'User-Agent': 'receipt-sync K3Cloud client (Kingdee WebApi compatible)',
    };
    if (auth.kind === 'session') Object.assign(headers, sessionHeaders(auth.tokens));
    if (auth.kind === 'signed') {
      const o = this.options;
      const now = Date.now();
      const timestamp = o.signatureTimestamp === 'milliseconds' ? String(now) : String(Math.floor(now / 1000));
      Object.assign(
        headers,
        buildSignedHeaders({
          requestUrl: `${o.baseUrl}${serviceName(op)}`,
          appId: o.appId ?? '',
          appSecret: o.appSecret ?? '',
          acctId: o.acctId,
          username: o.username,
          lcid: o.lcid,
          orgNum: o.orgNum,
          timestamp,
        }),
      );
      if (this.signedTokens) Object.assign(headers, sessionHeaders(this.signedTokens));
    }
    return headers;
  }

  /** One HTTP call: limiter slot, POST, interpretation, exactly one audit record. */
  private async exchange<T>(
    op: K3CloudOperation,
    params: unknown[],
    attempts: Attempts,
    auth: Auth,
    interpret: (raw: RawResponse) => Interpreted<T>,
  ): Promise<T> {
    const attempt = ++attempts.n;
    let started = Date.now();
    const path = `${this.sitePath}${serviceName(op)}`;
    const write = WRITE_OPS.has(op);
    let status: number | undefined;
    let outcome: ApiOutcome = 'ok';
    let failure: SyncError | Error | undefined;
    let message: string | undefined;
    try {
      // Bound to the caller's async context: a call that waited for a slot runs from another call's
      // completion, and would otherwise carry that call's context (its trace) instead of its own.
      const raw = await this.limiter.schedule(
        AsyncResource.bind(() => {
          started = Date.now(); // duration is the HTTP exchange, not the wait for a slot
          return this.transport.post(path, JSON.stringify({ parameters: params }), this.headersFor(op, auth), write);
        }),
      );
      status = raw.status;
      if (raw.status !== 200 && raw.status !== 206) {
        const http = new HttpStatusError('k3cloud', raw.status, snippet(raw.text));
        // A 5xx after a write was sent says nothing about whether it was applied.
        throw write && raw.status >= 500
          ? new AmbiguousWriteError(`${op} answered HTTP ${raw.status}`, { cause: http })
          : http;
      }
      if (auth.kind === 'signed') this.signedTokens = tokensFromCookies(raw.setCookies) ?? this.signedTokens;
      try {
        const result = interpret(raw);
        outcome = result.outcome ?? 'ok';
        message = result.message;
        return result.value;
      } catch (error) {
        if (write && error instanceof MalformedResponseError)
          throw new AmbiguousWriteError(`${op} answer unreadable: ${error.message}`, { cause: error });
        throw error;
      }
    } catch (error) {
      failure = error instanceof Error ? error : new Error(String(error));
      outcome = outcomeOf(error);
      message = String(redact(failure.message));
      if (outcome === 'ambiguous') this.logger?.warn({ op, attempt }, 'k3cloud write outcome unknown');
      if (error instanceof K3CloudRequestFilterError)
        this.logger?.warn(
          { op, attempt, rule: error.rule },
          'k3cloud request filter refused the call; nothing applied',
        );
      throw error;
    } finally {
      this.auditSink.record({
        system: 'k3cloud',
        operation: op,
        method: 'POST',
        path: safePath(path),
        status,
        durationMs: Date.now() - started,
        attempt,
        outcome,
        errorCode: failure ? errorCode(failure) : undefined,
        message,
        at: new Date(started).toISOString(),
        ...(attempts.subjects?.length ? { subjects: [...attempts.subjects] } : {}),
      });
    }
  }
}
