/** The session carrier of docs/apis/k3cloud.md §2.1: cookie `kdservice-sessionid` (+ `ASP.NET_SessionId`). */
export interface SessionTokens {
  kdserviceSessionId: string;
  aspNetSessionId?: string;
}

export function cookiesFrom(setCookies: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of setCookies) {
    const first = line.split(';')[0] ?? '';
    const eq = first.indexOf('=');
    if (eq > 0) out[first.slice(0, eq).trim().toLowerCase()] = first.slice(eq + 1).trim();
  }
  return out;
}

export function tokensFromCookies(setCookies: string[]): SessionTokens | undefined {
  const c = cookiesFrom(setCookies);
  const kd = c['kdservice-sessionid'];
  return kd ? { kdserviceSessionId: kd, aspNetSessionId: c['asp.net_sessionid'] } : undefined;
}

/** Sent back both ways SDKs do: Cookie and the `kdservice-sessionid` header (docs/apis/k3cloud.md §2.1, S1/S2). */
export function sessionHeaders(tokens: SessionTokens): Record<string, string> {
  const cookie = [`kdservice-sessionid=${tokens.kdserviceSessionId}`];
  if (tokens.aspNetSessionId) cookie.push(`ASP.NET_SessionId=${tokens.aspNetSessionId}`);
  return { Cookie: cookie.join('; '), 'kdservice-sessionid': tokens.kdserviceSessionId };
}

/**
 * One login at a time: concurrent callers share the pending login, and a caller whose session was
 * lost only discards it if it is still the current one, so N callers hitting MsgCode 1 together
 * cause exactly one new login.
 */
export class K3CloudSessionCache {
  private current?: SessionTokens;
  private pending?: Promise<SessionTokens>;

  constructor(private readonly login: () => Promise<SessionTokens>) {}

  get(): Promise<SessionTokens> {
    if (this.current) return Promise.resolve(this.current);
    if (!this.pending) {
      this.pending = this.login()
        .then((tokens) => {
          this.current = tokens;
          return tokens;
        })
        .finally(() => {
          this.pending = undefined;
        });
    }
    return this.pending;
  }

  invalidate(tokens: SessionTokens): void {
    if (this.current === tokens) this.current = undefined;
  }

  peek(): SessionTokens | undefined {
    return this.current;
  }

  clear(): void {
    this.current = undefined;
  }
}
