import { randomBytes } from 'node:crypto';

/** docs/apis/okki.md §2: a client_credentials token lives 8 h. */
export const TOKEN_LIFETIME_SECONDS = 28_800;

export interface IssuedToken {
  token: string;
  scopes: ReadonlySet<string>;
  expiresAtMs: number;
  revoked: boolean;
  /** Data calls served with this token (for tokenRevokeAfterCalls). */
  calls: number;
}

function b64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

/** Tokens the simulator handed out, looked up by value; clocked by the simulator's `now`. */
export class TokenStore {
  private readonly byValue = new Map<string, IssuedToken>();
  private readonly all: string[] = [];

  constructor(private readonly nowMs: () => number) {}

  isLive(t: IssuedToken): boolean {
    return !t.revoked && this.nowMs() < t.expiresAtMs;
  }

  /**
   * docs/apis/okki.md §2: "requesting again within the 8 h does not extend validity" — ASSUMPTION: the
   * live token for the same scope set comes back with the remaining seconds (fits the observed 28799).
   */
  issue(clientId: string, scopes: ReadonlySet<string>): { token: IssuedToken; expiresIn: number; fresh: boolean } {
    const key = [...scopes].sort().join(' ');
    for (const t of this.byValue.values()) {
      if (this.isLive(t) && [...t.scopes].sort().join(' ') === key) {
        return { token: t, expiresIn: Math.max(0, Math.floor((t.expiresAtMs - this.nowMs()) / 1000)), fresh: false };
      }
    }
    const expiresAtMs = this.nowMs() + TOKEN_LIFETIME_SECONDS * 1000;
    // Shaped like the league/oauth2-server JWT OKKI returns; the content is meaningless.
    const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256' }));
    const payload = b64url(
      JSON.stringify({
        aud: clientId,
        jti: randomBytes(20).toString('hex'),
        exp: Math.floor(expiresAtMs / 1000),
        scopes: [...scopes],
      }),
    );
    const token: IssuedToken = {
      token: `${header}.${payload}.${b64url(randomBytes(64))}`,
      scopes,
      expiresAtMs,
      revoked: false,
      calls: 0,
    };
    this.byValue.set(token.token, token);
    this.all.push(token.token);
    return { token, expiresIn: TOKEN_LIFETIME_SECONDS, fresh: true };
  }

  find(value: string): IssuedToken | undefined {
    return this.byValue.get(value);
  }

  /** Ends every token now, as if 8 h had passed or OKKI revoked them. */
  expireAll(): void {
    for (const t of this.byValue.values()) t.revoked = true;
  }

  issued(): string[] {
    return [...this.all];
  }
}
