import { json, oauthError, type SimResponse } from './responses';
import type { TokenStore } from './token-store';

/** Module scopes OKKI knows (docs/apis/okki.md §2). */
const KNOWN_SCOPES = new Set([
  'product',
  'company',
  'lead',
  'opportunity',
  'invoices',
  'user',
  'costInvoice',
  'paymentInvoice',
  'purchaseOrder',
  'warehouse',
  'capitalAccount',
  'webhook',
]);

/** docs/apis/okki.md §2: the doc says form-encoded, its text says JSON; both are used, so accept both. */
function parseTokenBody(raw: string, contentType: string | undefined): Record<string, string> | undefined {
  const text = raw.trim();
  if (text === '') return {};
  if (contentType?.includes('json') || text.startsWith('{')) {
    try {
      const parsed = JSON.parse(text) as unknown;
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(parsed))
        if (typeof v === 'string' || typeof v === 'number') out[k] = String(v);
      return out;
    } catch {
      return undefined;
    }
  }
  return Object.fromEntries(new URLSearchParams(text));
}

export interface TokenEndpointContext {
  clientId: string;
  clientSecret: string;
  tokens: TokenStore;
  omitExpiresIn: boolean;
}

/** POST /v1/oauth2/access_token (docs/apis/okki.md §2). Only client_credentials is simulated. */
export function handleTokenRequest(
  ctx: TokenEndpointContext,
  raw: string,
  contentType: string | undefined,
): { response: SimResponse; issued: boolean } {
  const body = parseTokenBody(raw, contentType);
  if (!body) {
    return {
      response: oauthError(
        400,
        'invalid_request',
        'The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.',
      ),
      issued: false,
    };
  }
  // docs/apis/okki.md §2: "A POST with no grant_type returns unsupported_grant_type" (AE, live probe).
  if (body.grant_type !== 'client_credentials') {
    return {
      response: oauthError(
        400,
        'unsupported_grant_type',
        'The authorization grant type is not supported by the authorization server.',
        'Check that all required parameters have been provided',
      ),
      issued: false,
    };
  }
  if (body.client_id !== ctx.clientId || body.client_secret !== ctx.clientSecret) {
    // docs/apis/okki.md §2 doc example answers invalid_client with HTTP 400 (league's 401 is UNVERIFIED).
    return { response: oauthError(400, 'invalid_client', 'Client authentication failed'), issued: false };
  }
  const scopes = new Set((body.scope ?? '').split(/\s+/).filter(Boolean));
  if (scopes.size === 0 || [...scopes].some((s) => !KNOWN_SCOPES.has(s))) {
    return {
      response: oauthError(
        400,
        'invalid_scope',
        'The requested scope is invalid, unknown, or malformed',
        'Check the `scope` parameter',
      ),
      issued: false,
    };
  }
  const { token, expiresIn, fresh } = ctx.tokens.issue(ctx.clientId, scopes);
  // docs/apis/okki.md §2: client_credentials gets no refresh_token; expires_in is the remaining lifetime.
  const payload: Record<string, unknown> = { token_type: 'Bearer' };
  if (!ctx.omitExpiresIn) payload.expires_in = expiresIn;
  payload.access_token = token.token;
  return { response: json(200, payload), issued: fresh };
}
