import { setMaxListeners } from 'node:events';
import { formatChinaTime } from '@receipt-sync/core';
import { noopAudit, safePath } from '@receipt-sync/core';
import { ConfigError, InvalidInputError, MalformedResponseError, RateLimitedError } from '@receipt-sync/core';
import { createLogger, registerSecret, type Logger } from '@receipt-sync/core';
import { createSharedPacer, type Lane, type SharedPacer } from '@receipt-sync/core';
import { z } from 'zod';
import { DEFAULT_RETRY, type OkkiOperation, type RetryOptions, type OkkiClientOptions } from './client-options';
import { TokenRejectedError } from './client-errors';
import { OkkiTransport } from './http-transport';
import { parseReceipt, parseReceiptPage, type ReceiptInfo, type ReceiptPage } from './receipt-parsing';
import { interpretEnvelope, interpretToken, type Envelope } from './response-interpreter';
import { delayBeforeRetry, isRetryable, sleep } from './retry-policy';
import { OkkiTokenCache } from './token-cache';
import { ReceiptWindowReader, type WindowOptions } from './window-reader';

export interface ListReceiptsQuery {
  /** update_time bounds, inclusive (docs/apis/okki.md §4); Date or China-time text. Omitted = unbounded. */
  startTime?: Date | string;
  endTime?: Date | string;
  /** 1-based page number (docs/apis/okki.md §4: start_index is a page, not an offset). Default 1. */
  page?: number;
  /** Rows per page, 1..500. Default 100. */
  count?: number;
  /** true: deleted receipts only (removed=1). Default false. */
  removed?: boolean;
}

const optionsSchema = z.object({
  baseUrl: z.url({ protocol: /^https?$/ }),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  timeoutMs: z.number().int().positive(),
  maxRps: z.number().positive(),
});

const TOKEN_PATH = '/v1/oauth2/access_token';

/** docs/apis/okki.md §12.2: `data: {security_method, security_config}`. */
const WebhookRegistrationSchema = z.looseObject({
  security_method: z.unknown().optional(),
  security_config: z.string().min(1),
});
export type WebhookRegistration = z.infer<typeof WebhookRegistrationSchema>;

function describe(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(data)'}: ${i.message}`).join('; ');
}

function timeParam(value: Date | string): string {
  return typeof value === 'string' ? value : formatChinaTime(value);
}

/**
 * OKKI CRM open API client for receipts: client_credentials token (docs/apis/okki.md §2), receipt list and
 * info (§4, §6), retries with back-off, pacing shared across processes, an audit record per HTTP
 * attempt, and a drift-safe window iterator.
 */
/**
 * Connections that carry the full rate while OKKI's answers take up to half a second: a request the
 * pacer let start must not then queue for a socket (with 8 connections and 80 ms answers, every
 * millisecond of overhead takes from XIAOMAN_MAX_RPS). Never fewer than 8.
 */
export function connectionsFor(maxRps: number): number {
  return Math.max(8, Math.ceil(maxRps / 2));
}

export class OkkiClient {
  private readonly http: OkkiTransport;
  private readonly pacer: SharedPacer;
  private readonly tokens: OkkiTokenCache;
  private readonly retry: RetryOptions;
  private readonly logger: Logger;
  private readonly closing = new AbortController();
  private closed?: Promise<void>;

  constructor(private readonly options: OkkiClientOptions) {
    const checked = optionsSchema.safeParse(options);
    if (!checked.success) {
      throw new ConfigError(checked.error.issues.map((i) => `okki client ${i.path.join('.')}: ${i.message}`));
    }
    registerSecret(options.clientSecret);
    // Every pending back-off sleep listens for close(); there can be many at once.
    setMaxListeners(0, this.closing.signal);
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.logger = options.logger ?? createLogger({ name: 'okki-client' });
    this.pacer = createSharedPacer({
      id: options.limiterId ?? 'okki',
      maxPerSecond: options.maxRps,
      redis: options.redis,
    });
    this.http = new OkkiTransport(
      options.baseUrl,
      options.timeoutMs,
      options.connections ?? connectionsFor(options.maxRps),
      this.pacer,
      options.audit ?? noopAudit,
      this.logger,
    );
    this.tokens = new OkkiTokenCache(
      () => this.requestToken(),
      (token) => registerSecret(token),
    );
  }

  async listReceipts(query: ListReceiptsQuery = {}): Promise<ReceiptPage> {
    const page = query.page ?? 1;
    const count = query.count ?? 100;
    if (!Number.isInteger(page) || page < 1)
      throw new InvalidInputError('okki receipt/list', [`page: must be an integer >= 1, got ${page}`]);
    if (!Number.isInteger(count) || count < 1 || count > 500)
      throw new InvalidInputError('okki receipt/list', [`count: must be 1..500, got ${count}`]);
    const params = new URLSearchParams();
    if (query.startTime !== undefined) params.set('start_time', timeParam(query.startTime));
    if (query.endTime !== undefined) params.set('end_time', timeParam(query.endTime));
    params.set('start_index', String(page));
    params.set('count', String(count));
    params.set('removed', query.removed ? '1' : '0');
    const { data, now } = await this.getData('receipt.list', `/v1/invoices/receipt/list?${params}`);
    return parseReceiptPage(data, now);
  }

  /**
   * GET /v1/invoices/receipt/info by id or number (docs/apis/okki.md §6). Unknown → OkkiBusinessError with
   * `isNotFound`. A deleted receipt is still returned (enable_flag 0). `lane` is the pacer lane the
   * call waits in: bulk work (a backfill's receipts) leaves the next free start to live work.
   */
  async getReceiptInfo(ref: number | { cashCollectionNo: string }, opts: { lane?: Lane } = {}): Promise<ReceiptInfo> {
    const params = new URLSearchParams(
      typeof ref === 'number' ? { cash_collection_id: String(ref) } : { cash_collection_no: ref.cashCollectionNo },
    );
    const subjects = typeof ref === 'number' ? [String(ref)] : undefined;
    const { data } = await this.getData('receipt.info', `/v1/invoices/receipt/info?${params}`, subjects, opts.lane);
    if (data === undefined || data === null)
      throw new MalformedResponseError('okki', 'receipt/info answered success without data');
    const parsed = parseReceipt(data);
    if (!parsed.ok) throw new InvalidInputError(`okki receipt/info ${params.toString()}`, parsed.invalid.issues);
    return parsed.receipt;
  }

  /**
   * POST /v1/webhook (docs/apis/okki.md §12.2): registers the push callback. The answer's
   * `security_config` is the shared secret (XIAOMAN_WEBHOOK_SECRET); it is registered with the
   * logger at once so it can never be printed by a log line.
   */
  async registerWebhook(callbackUrl: string): Promise<WebhookRegistration> {
    const { data } = await this.postData('webhook.register', '/v1/webhook', { callback_url: callbackUrl });
    const parsed = WebhookRegistrationSchema.safeParse(data);
    if (!parsed.success)
      throw new MalformedResponseError('okki', `webhook answered without security_config: ${describe(parsed.error)}`);
    registerSecret(parsed.data.security_config);
    return parsed.data;
  }

  /** POST /v1/subscribe (§12.3): one module, several events, e.g. crm.cash_collection create/update/delete. */
  async subscribe(subscribeType: string, bizTypes: string[]): Promise<unknown> {
    const body = { subscribe_type: subscribeType, subscribe_configs: bizTypes.map((t) => ({ biz_type: t })) };
    return (await this.postData('webhook.subscribe', '/v1/subscribe', body)).data;
  }

  /** POST /v1/webhook/test (§12.2): OKKI sends a test message to the registered callback. */
  async testWebhook(): Promise<unknown> {
    return (await this.postData('webhook.test', '/v1/webhook/test', {})).data;
  }

  /**
   * Asks for an access token (scope `invoices`, docs/apis/okki.md §2) and resolves once OKKI granted one:
   * `doctor` tells refused credentials apart from a token without the receipts scope.
   */
  async verifyToken(): Promise<void> {
    await this.tokens.get();
  }

  /** Every receipt of a fixed update_time window exactly once, drift-safe; see ReceiptWindowReader. */
  iterateWindow(options: WindowOptions): ReceiptWindowReader {
    return new ReceiptWindowReader(
      (q) =>
        this.listReceipts({
          startTime: q.startTime,
          endTime: q.endTime,
          page: q.page,
          count: q.count,
          removed: q.removed,
        }),
      options,
      this.logger,
    );
  }

  /** Idempotent: a second close (a pacer does not survive two) returns the first one's promise. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      this.closing.abort(new Error('okki client closed'));
      await Promise.allSettled([this.http.close(), this.pacer.close()]);
    })();
    return this.closed;
  }

  /** docs/apis/okki.md §2: client_credentials with a JSON body (the form the doc's text and BE/HY use). */
  private requestToken() {
    const body = JSON.stringify({
      grant_type: 'client_credentials',
      client_id: this.options.clientId,
      client_secret: this.options.clientSecret,
      scope: this.options.scope ?? 'invoices',
    });
    return this.withRetries(async (nextAttempt) =>
      this.http.send(
        {
          operation: 'token',
          method: 'POST',
          path: TOKEN_PATH,
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body,
        },
        nextAttempt(),
        (raw) => interpretToken(raw, this.retry.baseDelayMs),
      ),
    );
  }

  /**
   * A POST with the token. Never retried after a timeout or a 5xx (docs/apis/okki.md §11.2: it may have taken
   * effect); only a refused token is refreshed once.
   */
  private async postData(operation: OkkiOperation, path: string, body: unknown): Promise<Envelope> {
    let refreshed = false;
    for (;;) {
      const token = await this.tokens.get();
      try {
        return await this.http.send(
          {
            operation,
            method: 'POST',
            path,
            headers: {
              authorization: `Bearer ${token}`,
              accept: 'application/json',
              'content-type': 'application/json',
            },
            body: JSON.stringify(body),
          },
          1,
          (raw) => interpretEnvelope(raw, safePath(path), this.retry.baseDelayMs),
        );
      } catch (error) {
        if (!(error instanceof TokenRejectedError) || refreshed) throw error;
        this.tokens.invalidate(token);
        refreshed = true;
      }
    }
  }

  /**
   * A GET with the token. docs/apis/okki.md §2 / §11.1: on HTTP 401 or access_denied, force one refresh and

   * retry once; a second refusal is an AuthenticationError. Token failures are final here (the
   * token call has already retried on its own).
   */
  private getData(operation: OkkiOperation, path: string, subjects?: string[], lane?: Lane): Promise<Envelope> {
    let tokenFailure: unknown;
    return this.withRetries(
      async (nextAttempt) => {
        let refreshed = false;
        for (;;) {
          let token: string;
          try {
            token = await this.tokens.get();
          } catch (error) {
            tokenFailure = error;
            throw error;
          }
          try {
            return await this.http.send(
              {
                operation,
                method: 'GET',
                path,
                headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
                subjects,
                lane,
              },
              nextAttempt(),
              (raw) => interpretEnvelope(raw, safePath(path), this.retry.baseDelayMs),
            );
          } catch (error) {
            if (!(error instanceof TokenRejectedError)) throw error;
            this.tokens.invalidate(token);
            if (refreshed) throw error;
            refreshed = true;
          }
        }
      },
      (error) => error !== tokenFailure,
    );
  }

  private async withRetries<T>(
    run: (nextAttempt: () => number) => Promise<T>,
    retryable: (error: unknown) => boolean = () => true,
  ): Promise<T> {
    let attempt = 0;
    const nextAttempt = () => ++attempt;
    let failures = 0;
    let limitedWaits = 0;
    for (;;) {
      try {
        return await run(nextAttempt);
      } catch (error) {
        // A 429 asks us to wait, it is not a failure: it spends no try until rateLimitedWaits are used.
        if (error instanceof RateLimitedError && limitedWaits < this.retry.rateLimitedWaits) limitedWaits += 1;
        else failures += 1;
        const spent = failures >= this.retry.attempts;
        if (spent || !isRetryable(error) || !retryable(error) || this.closing.signal.aborted) throw error;
        await sleep(delayBeforeRetry(error, this.retry, Math.max(1, failures)), this.closing.signal);
      }
    }
  }
}
