import {
  AuthenticationError,
  HttpStatusError,
  MalformedResponseError,
  OkkiBusinessError,
  RateLimitedError,
} from '@receipt-sync/core';
import { z } from 'zod';
import { TokenRejectedError } from './client-errors';
import type { RawResponse } from './http-transport';
import { parseRetryAfter } from './retry-policy';

function snippet(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 120);
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isAccessDenied(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as { error?: unknown }).error === 'access_denied';
}

const intLike = z.union([
  z.number().int(),
  z
    .string()
    .regex(/^-?\d+$/)
    .transform(Number),
]);

/** docs/apis/okki.md §3 envelope: strict on what decides success, lenient on the rest. */
const envelopeSchema = z.looseObject({
  code: intLike,
  message: z.string().optional(),
  now: z.string().optional(),
  data: z.unknown().optional(),
});

export interface Envelope {
  data: unknown;
  now: string;
}

/**
 * A data endpoint's answer → `{data, now}` or a typed error.
 * - 429 → RateLimitedError honouring Retry-After (docs/apis/okki.md §9 ASSUMPTION);
 * - 401 or body error=access_denied → TokenRejectedError (docs/apis/okki.md §2 [INTEG]: refresh once, retry);
 * - 5xx / other non-200 → HttpStatusError (5xx transient);
 * - not JSON (HTML page, truncated) or no envelope → MalformedResponseError;
 * - code 0/200 → success (docs/apis/okki.md §3: both occur); code 429 → RateLimitedError; else OkkiBusinessError.
 */
export function interpretEnvelope(raw: RawResponse, path: string, fallbackRetryMs: number): Envelope {
  const retryAfter = parseRetryAfter(raw.headers['retry-after']);
  if (raw.status === 429) return rateLimited(retryAfter ?? fallbackRetryMs, `HTTP 429 on ${path}`);
  const body = tryJson(raw.text);
  if (raw.status === 401 || isAccessDenied(body)) throw new TokenRejectedError();
  if (raw.status !== 200) throw new HttpStatusError('okki', raw.status, snippet(raw.text));
  if (body === undefined) {
    throw new MalformedResponseError(
      'okki',
      `${path}: body is not JSON (content-type ${String(raw.headers['content-type'] ?? 'none')}): ${snippet(raw.text).slice(0, 60)}`,
    );
  }
  const parsed = envelopeSchema.safeParse(body);
  if (!parsed.success) throw new MalformedResponseError('okki', `${path}: no {code,message} envelope`);
  const { code, message = '', now = '', data } = parsed.data;
  if (code === 0 || code === 200) return { data, now };
  if (code === 429) return rateLimited(retryAfter ?? fallbackRetryMs, `code 429 ${message}`.trim());
  throw new OkkiBusinessError(code, message, path);
}

function rateLimited(retryAfterMs: number, message: string): never {
  throw new RateLimitedError('okki', retryAfterMs, message);
}

const tokenSchema = z.looseObject({
  access_token: z.string().min(1),
  expires_in: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).optional(),
});

const oauthErrorSchema = z.looseObject({
  error: z.string(),
  message: z.string().optional(),
  error_description: z.string().optional(),
});

export interface TokenGrant {
  accessToken: string;
  /** Seconds; undefined when OKKI left it out (docs/apis/okki.md §2: client_credentials may omit it). */
  expiresIn?: number;
}

/**
 * The token endpoint's answer (docs/apis/okki.md §2). OAuth errors such as invalid_client are credential
 * problems: AuthenticationError, never retried here. Token bodies are never quoted in errors.
 */
export function interpretToken(raw: RawResponse, fallbackRetryMs: number): TokenGrant {
  if (raw.status === 429)
    return rateLimited(parseRetryAfter(raw.headers['retry-after']) ?? fallbackRetryMs, 'HTTP 429 on token');
  const body = tryJson(raw.text);
  const oauthError = oauthErrorSchema.safeParse(body);
  if (oauthError.success && raw.status < 500) {
    const { error, error_description: description } = oauthError.data;
    throw new AuthenticationError('okki', `${error}${description ? `: ${description}` : ''} (HTTP ${raw.status})`);
  }
  if (raw.status !== 200) throw new HttpStatusError('okki', raw.status, raw.status >= 500 ? snippet(raw.text) : '');
  const parsed = tokenSchema.safeParse(body);
  if (!parsed.success) throw new MalformedResponseError('okki', 'token answer has no access_token');
  return { accessToken: parsed.data.access_token, expiresIn: parsed.data.expires_in };
}
