import type { TokenGrant } from './response-interpreter';

/** docs/apis/okki.md §2: 8 h when expires_in is absent (the doc says client_credentials omits it). */
const DEFAULT_LIFETIME_MS = 28_800_000;
/** docs/apis/okki.md §11.1: refresh 5 min before expiry. */
const REFRESH_MARGIN_MS = 300_000;

interface CachedToken {
  value: string;
  refreshAtMs: number;
}

/**
 * One token per client (docs/apis/okki.md §11.1: cache per scope set). Concurrent callers share a single
 * in-flight request; a refusal invalidates only the token that was refused, so many callers
 * failing together still cause one refresh.
 */
export class OkkiTokenCache {
  private cached?: CachedToken;
  private inFlight?: Promise<string>;

  constructor(
    private readonly fetchGrant: () => Promise<TokenGrant>,
    private readonly onToken: (token: string) => void = () => undefined,
    private readonly clock: () => number = Date.now,
  ) {}

  async get(): Promise<string> {
    if (this.cached && this.clock() < this.cached.refreshAtMs) return this.cached.value;
    this.inFlight ??= this.refresh().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** Forget `token` if it is still the cached one (another caller may already have replaced it). */
  invalidate(token: string): void {
    if (this.cached?.value === token) this.cached = undefined;
  }

  private async refresh(): Promise<string> {
    const requestedAt = this.clock();
    const grant = await this.fetchGrant();
    const lifetimeMs =
      grant.expiresIn !== undefined && grant.expiresIn > 0 ? grant.expiresIn * 1000 : DEFAULT_LIFETIME_MS;
    // A re-request inside the validity returns the same token with the remaining seconds (docs/apis/okki.md §2),
    // possibly under 5 min: then keep it for half of what is left instead of re-asking on every call.
    const margin = Math.min(REFRESH_MARGIN_MS, lifetimeMs / 2);
    this.cached = { value: grant.accessToken, refreshAtMs: requestedAt + lifetimeMs - margin };
    this.onToken(grant.accessToken);
    return grant.accessToken;
  }
}
