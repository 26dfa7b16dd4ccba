import { createHash } from 'node:crypto';
import { AuthenticationError } from '@receipt-sync/core';
import type { RedisClient } from '@receipt-sync/core';

/** Waits after the 1st, 2nd, 3rd… refused login in a row (the last one repeats). */
export const LOGIN_COOL_DOWNS_MS = [60_000, 5 * 60_000, 15 * 60_000, 60 * 60_000];

interface Refusal {
  /** Refused logins in a row with these credentials. */
  failures: number;
  /** Epoch ms before which nobody logs in with these credentials again. */
  until: number;
  message: string;
}

export interface LoginGateOptions {
  /** Shares the refusal with every process using the same Redis and key prefix. */
  redis?: RedisClient;
  keyPrefix: string;
  /** Identifies the credentials: a fixed password (another hash) may log in at once. */
  credentials: string[];
  /** Named in the error, e.g. `KINGDEE_USERNAME / KINGDEE_PASSWORD`. */
  credentialNames: string;
  coolDownsMs?: number[];
  now?: () => number;
}

/**
 * A circuit breaker for one set of K3Cloud credentials. A login refused for its credentials opens
 * it: nobody logs in with the same credentials until the cool-down ends (1 min, 5 min, 15 min, then
 * hourly), and every call fails at once with an AuthenticationError carrying the remaining wait.
 * The state lives in Redis when there is one, so replicas, the transformer and a rerun of
 * `sync:once` with the same wrong password respect it too; a success closes it.
 */
export class LoginGate {
  private readonly key: string;
  private readonly coolDowns: number[];
  private readonly now: () => number;
  private local?: Refusal;

  constructor(private readonly options: LoginGateOptions) {
    const digest = createHash('sha256').update(options.credentials.join('\u0000')).digest('hex').slice(0, 16);
    this.key = `${options.keyPrefix}:login-refused:${digest}`;
    this.coolDowns = options.coolDownsMs ?? LOGIN_COOL_DOWNS_MS;
    this.now = options.now ?? Date.now;
  }

  /** The error every call gets while the gate is closed to logins, or undefined when a login may run. */
  async blocked(): Promise<AuthenticationError | undefined> {
    const refusal = await this.read();
    if (!refusal || refusal.until <= this.now()) return undefined;
    return this.errorFor(refusal);
  }

  /** The last known refusal, without asking Redis (readiness, `sync:once`'s stop check). */
  current(): AuthenticationError | undefined {
    return this.local && this.local.until > this.now() ? this.errorFor(this.local) : undefined;
  }

  /** Records a refused login; returns the error to throw (with the wait until the next attempt). */
  async refused(error: AuthenticationError): Promise<AuthenticationError> {
    const previous = await this.read();
    const failures = (previous?.failures ?? 0) + 1;
    const wait = this.coolDowns[Math.min(failures, this.coolDowns.length) - 1]!;
    const refusal: Refusal = { failures, until: this.now() + wait, message: error.message };
    this.local = refusal;
    // Kept a day after the cool-down so the next refusal waits longer.
    await this.options.redis?.set(this.key, JSON.stringify(refusal), 'PX', wait + 24 * 3600_000).catch(() => undefined);
    return this.errorFor(refusal, error);
  }

  async succeeded(): Promise<void> {
    if (!this.local && !this.options.redis) return;
    this.local = undefined;
    await this.options.redis?.del(this.key).catch(() => undefined);
  }

  private async read(): Promise<Refusal | undefined> {
    const redis = this.options.redis;
    if (!redis) return this.local;
    try {
      const text = await redis.get(this.key);
      this.local = text ? (JSON.parse(text) as Refusal) : undefined;
    } catch {
      // Redis unreachable: the process's own memory still bounds its logins.
    }
    return this.local;
  }

  private errorFor(refusal: Refusal, cause?: unknown): AuthenticationError {
    const waitMs = Math.max(0, refusal.until - this.now());
    const reason = refusal.message.replace(/^k3cloud: authentication failed: /, '');
    return new AuthenticationError(
      'k3cloud',
      `${reason} — check ${this.options.credentialNames}; no further login with these credentials for ${Math.ceil(waitMs / 1000)} s (${refusal.failures} refused in a row)`,
      { retryAfterMs: waitMs, cause, details: { refusedLogins: refusal.failures } },
    );
  }
}
