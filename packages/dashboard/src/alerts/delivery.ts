import { request } from 'undici';
import type { Logger } from '@receipt-sync/core';
import { signDingTalkUrl } from './dingtalk-sign';
import { describeTarget, type AlertTarget } from './targets';

/** The slice of `fetch` delivery needs; global `fetch` and undici's `fetch` both fit. */
export type WebhookFetch = (
  url: string,
  init: { method: 'POST'; headers: Record<string, string>; body: string; signal: AbortSignal },
) => Promise<{ status: number; text(): Promise<string> }>;

export type AlertLogger = Pick<Logger, 'info' | 'warn' | 'error'>;

export interface DeliveryOptions {
  fetchImpl: WebhookFetch;
  logger: AlertLogger;
  /** Per attempt. */
  timeoutMs: number;
  /** Extra attempts after the first. */
  retries: number;
  /** Back-off before retry n is n × retryDelayMs. */
  retryDelayMs: number;
  now: () => Date;
}

export interface DeliveryResult {
  target: string;
  ok: boolean;
  attempts: number;
}

/** Default transport: undici `request`, body always consumed so the socket returns to the pool. */
export const undiciWebhookFetch: WebhookFetch = async (url, init) => {
  const res = await request(url, { method: init.method, headers: init.headers, body: init.body, signal: init.signal });
  const text = await res.body.text();
  return { status: res.statusCode, text: async () => text };
};

type AttemptOutcome = { ok: true } | { ok: false; retry: boolean; reason: string };

/**
 * The platforms answer HTTP 200 with an error code in the body for bad signatures, bad keywords
 * and rate limits: DingTalk/WeCom `errcode`, Feishu `code` (older bots `StatusCode`).
 */
function bodyError(text: string): string | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined; // Slack-compatible hooks answer plain `ok`.
  }
  if (!body || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  for (const field of ['errcode', 'code', 'StatusCode']) {
    const code = b[field];
    if (typeof code === 'number' && code !== 0) {
      const msg = b.errmsg ?? b.msg ?? b.StatusMessage;
      return `${field} ${code}${typeof msg === 'string' ? `: ${msg.slice(0, 200)}` : ''}`;
    }
  }
  return undefined;
}

async function attempt(target: AlertTarget, body: string, opts: DeliveryOptions): Promise<AttemptOutcome> {
  const url =
    target.kind === 'dingtalk' && target.secret
      ? signDingTalkUrl(target.url, target.secret, opts.now().getTime())
      : target.url;
  try {
    const res = await opts.fetchImpl(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body,
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
    const text = await res.text();
    if (res.status < 200 || res.status >= 300) {
      return {
        ok: false,
        retry: res.status >= 500 || res.status === 429 || res.status === 408,
        reason: `HTTP ${res.status}`,
      };
    }
    const rejected = bodyError(text);
    // Bad sign / keyword / token will not fix itself within seconds: no retry.
    return rejected ? { ok: false, retry: false, reason: `rejected (${rejected})` } : { ok: true };
  } catch (error) {
    const raw = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    // Transport errors can echo the request URL, which holds the token.
    const reason = raw.split(url).join(describeTarget(target)).split(target.url).join(describeTarget(target));
    return { ok: false, retry: true, reason };
  }
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** Posts one JSON body to one target with bounded retries. Never throws; failures are logged. */
export async function deliver(
  target: AlertTarget,
  payload: Record<string, unknown>,
  incidentKey: string,
  opts: DeliveryOptions,
): Promise<DeliveryResult> {
  const where = describeTarget(target);
  const body = JSON.stringify(payload);
  const maxAttempts = 1 + Math.max(0, opts.retries);
  for (let n = 1; n <= maxAttempts; n++) {
    const outcome = await attempt(target, body, opts);
    if (outcome.ok) return { target: where, ok: true, attempts: n };
    const last = n === maxAttempts || !outcome.retry;
    const log = { incident: incidentKey, target: where, attempt: n, reason: outcome.reason };
    if (last) {
      opts.logger.error(log, 'alert delivery failed');
      return { target: where, ok: false, attempts: n };
    }
    opts.logger.warn(log, 'alert delivery failed, retrying');
    await pause(n * opts.retryDelayMs);
  }
  return { target: where, ok: false, attempts: maxAttempts };
}
