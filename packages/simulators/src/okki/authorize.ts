import type { OkkiFaults } from './faults';
import { accessDenied, businessError, type SimResponse } from './responses';
import type { TokenStore } from './token-store';

/**
 * Checks the token of a data call (docs/apis/okki.md §2). Returns the refusal, or undefined to go on.
 * - missing header / unknown / expired / revoked token → HTTP 401 access_denied (ASSUMPTION body);
 * - `Bearer ` prefix optional (league strips it, ASSUMPTION);
 * - token without the `invoices` scope → HTTP 200 {code:403,"no permission invoices scopes"} (ASSUMPTION).
 */
export function authorize(
  tokens: TokenStore,
  faults: OkkiFaults,
  header: string | undefined,
  now: string,
): SimResponse | undefined {
  if (!header || header.trim() === '') return accessDenied('Missing "Authorization" header');
  const value = header.trim().replace(/^Bearer\s+/i, '');
  const token = tokens.find(value);
  if (!token || !tokens.isLive(token)) return accessDenied('Access token could not be verified');
  const limit = faults.tokenRevokeAfterCalls;
  if (limit !== null && token.calls >= limit) {
    token.revoked = true;
    return accessDenied('Access token has been revoked');
  }
  token.calls += 1;
  if (!token.scopes.has('invoices')) return businessError(now, 403, 'no permission invoices scopes');
  return undefined;
}
