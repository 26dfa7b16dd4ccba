import {
  AuthenticationError,
  K3CloudRejectedError,
  K3CloudRequestFilterError,
  MalformedResponseError,
} from '@receipt-sync/core';
import { redact } from '@receipt-sync/core';
import { statusError } from './k3-errors';
import { requestFilterRefusal } from './request-filter';
import {
  billQueryRowsSchema,
  executeBillQueryRowsSchema,
  kdExceptionSchema,
  loginResultSchema,
  resultEnvelopeSchema,
  type ResponseStatus,
} from './response-schemas';
import { tokensFromCookies, type SessionTokens } from './session-cache';

/** A short, secret-free excerpt of a body for error messages (HTML tags dropped). */
export function snippet(text: string): string {
  const flat = text
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return String(redact(flat.length > 120 ? `${flat.slice(0, 120)}…` : flat));
}

/**
 * JSON body, or the typed error for `response_error:` (docs/apis/k3cloud.md §1), the site's request
 * filter (§5.5: a `showConfirm` action; nothing was applied, whatever the operation) and non-JSON answers.
 */
export function parseBody(text: string): unknown {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('response_error:')) {
    const rest = trimmed.slice('response_error:'.length);
    let message = snippet(rest);
    try {
      message = kdExceptionSchema.parse(JSON.parse(rest)).Message ?? message;
    } catch {
      // keep the raw excerpt
    }
    // MsgCode 4 异常 (docs/apis/k3cloud.md §5.2): the server threw.
    throw new K3CloudRejectedError(4, `server exception: ${message}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new MalformedResponseError('k3cloud', `not JSON: ${snippet(text)}`);
  }
  const refusal = requestFilterRefusal(body);
  if (refusal) throw new K3CloudRequestFilterError(refusal.rule, refusal.message, { details: { rule: refusal.rule } });
  return body;
}

/** `{"Result":{"ResponseStatus":{IsSuccess:false…}}}` standing where data was expected. */
function failedStatus(value: unknown): ResponseStatus | undefined {
  const parsed = resultEnvelopeSchema.safeParse(value);
  return parsed.success && !parsed.data.Result.ResponseStatus.IsSuccess ? parsed.data.Result.ResponseStatus : undefined;
}

/** Error answers of the query ops: `[[{Result…}]]` (docs/apis/k3cloud.md §6), `[{Result…}]`, or bare `{Result…}` (S14). */
function queryFailure(body: unknown): ResponseStatus | undefined {
  if (!Array.isArray(body)) return failedStatus(body);
  const first: unknown = body[0];
  if (body.length === 1 && Array.isArray(first) && first.length === 1) return failedStatus(first[0]);
  if (body.length === 1 && !Array.isArray(first)) return failedStatus(first);
  return undefined;
}

export function readExecuteBillQuery(text: string): unknown[][] {
  const body = parseBody(text);
  const failure = queryFailure(body);
  if (failure) throw statusError(failure);
  const rows = executeBillQueryRowsSchema.safeParse(body);
  if (!rows.success) throw new MalformedResponseError('k3cloud', `ExecuteBillQuery rows expected: ${snippet(text)}`);
  return rows.data;
}

export function readBillQuery(text: string): Array<Record<string, unknown>> {
  const body = parseBody(text);
  const failure = queryFailure(body);
  if (failure) throw statusError(failure);
  const rows = billQueryRowsSchema.safeParse(body);
  if (!rows.success) throw new MalformedResponseError('k3cloud', `BillQuery rows expected: ${snippet(text)}`);
  return rows.data;
}

/**
 * LoginResult → session tokens (docs/apis/k3cloud.md §2.1): success ⇔ LoginResultType 1 or IsSuccessByAPI; the
 * session id from `Set-Cookie: kdservice-sessionid`, else the body's KDSVCSessionId.
 */
export function readLogin(text: string, setCookies: string[]): SessionTokens {
  const body = parseBody(text);
  const failure = failedStatus(body);
  if (failure) throw new AuthenticationError('k3cloud', failure.Errors?.[0]?.Message ?? `MsgCode ${failure.MsgCode}`);
  const parsed = loginResultSchema.safeParse(body);
  if (!parsed.success) throw new MalformedResponseError('k3cloud', `LoginResult expected: ${snippet(text)}`);
  const result = parsed.data;
  if (result.LoginResultType !== 1 && result.IsSuccessByAPI !== true) {
    throw new AuthenticationError(
      'k3cloud',
      `${result.Message ?? 'login refused'} (LoginResultType ${result.LoginResultType})`,
    );
  }
  const fromCookies = tokensFromCookies(setCookies);
  if (fromCookies)
    return { ...fromCookies, aspNetSessionId: fromCookies.aspNetSessionId ?? result.Context?.SessionId ?? undefined };
  if (result.KDSVCSessionId)
    return { kdserviceSessionId: result.KDSVCSessionId, aspNetSessionId: result.Context?.SessionId ?? undefined };
  throw new MalformedResponseError('k3cloud', 'login succeeded but no kdservice-sessionid came back');
}
