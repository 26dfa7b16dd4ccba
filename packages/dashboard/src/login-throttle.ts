export interface LoginThrottleOptions {
  /** Failed logins from one address before it must wait (the last of them starts the wait). @defaultValue 10 */
  freeFailures?: number;
  /** First wait; doubles with every further failure. @defaultValue 5000 */
  baseDelayMs?: number;
  /** Longest wait. @defaultValue 900000 (15 min) */
  maxDelayMs?: number;
  /** Addresses remembered at most (oldest forgotten first), so a flood cannot exhaust memory. @defaultValue 10000 */
  maxTracked?: number;
  now?: () => number;
}

interface Entry {
  failures: number;
  blockedUntil: number;
  lastAt: number;
}

/**
 * Failed HTTP Basic logins per client address: the `freeFailures`-th failure starts a wait, each
 * further failure doubles the wait (5 s, 10 s, 20 s … capped at 15 min) during which the address gets 429 with
 * Retry-After without its credentials being checked. A success clears the address; an address
 * quiet for twice the cap is forgotten.
 */
export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();
  private readonly free: number;
  private readonly base: number;
  private readonly max: number;
  private readonly maxTracked: number;
  private readonly now: () => number;

  constructor(options: LoginThrottleOptions = {}) {
    this.free = options.freeFailures ?? 10;
    this.base = options.baseDelayMs ?? 5000;
    this.max = options.maxDelayMs ?? 15 * 60_000;
    this.maxTracked = options.maxTracked ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** Milliseconds `address` must still wait; 0 when it may try. */
  retryAfterMs(address: string): number {
    const entry = this.entries.get(address);
    if (!entry) return 0;
    const now = this.now();
    if (now - entry.lastAt > 2 * this.max) {
      this.entries.delete(address);
      return 0;
    }
    return Math.max(0, entry.blockedUntil - now);
  }

  /** Records a failure; returns the wait it imposes (0 while still within the free failures). */
  fail(address: string): number {
    const now = this.now();
    const entry = this.entries.get(address) ?? { failures: 0, blockedUntil: 0, lastAt: now };
    entry.failures += 1;
    entry.lastAt = now;
    const over = entry.failures - this.free;
    const wait = over >= 0 ? Math.min(this.max, this.base * 2 ** Math.min(over, 30)) : 0;
    entry.blockedUntil = now + wait;
    this.entries.delete(address);
    this.entries.set(address, entry);
    if (this.entries.size > this.maxTracked) this.entries.delete(this.entries.keys().next().value!);
    return wait;
  }

  succeed(address: string): void {
    this.entries.delete(address);
  }
}
