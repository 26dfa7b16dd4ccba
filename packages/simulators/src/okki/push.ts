import { newSecurityConfig, encryptPush, signPush } from './push-crypto';

/** Faults of push delivery; mutable like OkkiFaults. Random decisions use the simulator's PRNG. */
export interface PushFaults {
  /** Fraction of messages never sent at all (no retry): the sweeper's case. */
  dropRate: number;
  /** Fraction of messages delivered twice (same message_id). */
  duplicateRate: number;
  /** Each delivery waits a random 0..reorderMs more, so messages overtake each other. */
  reorderMs: number;
  /** Fixed wait before the first delivery of every message. */
  delayMs: number;
  /** Fraction of delivery attempts signed with a wrong key (the receiver must answer 401). */
  badSignatureRate: number;
}

export function defaultPushFaults(): PushFaults {
  return { dropRate: 0, duplicateRate: 0, reorderMs: 0, delayMs: 0, badSignatureRate: 0 };
}

export interface PushOptions {
  /** Waits before the retries of an unacknowledged message; OKKI: 10 s, 30 s, 60 s, then dropped (§12.6). */
  retryDelaysMs?: number[];
  /** Which text the signature covers: the whole body (official sample) or the `data` string (prose). */
  signatureReading?: 'body' | 'data';
  /** Fixed `security_config` (otherwise a random one per registration). */
  securityConfig?: string;
}

export interface PushStats {
  /** Messages created for subscribed events (dropped ones included). */
  messages: number;
  dropped: number;
  duplicated: number;
  attempts: number;
  acknowledged: number;
  retries: number;
  /** Messages given up on after the last retry. */
  abandoned: number;
}

export interface PushLogEntry {
  messageId: string;
  bizType: string;
  receiptId?: number;
  createdAtMs: number;
  ackedAtMs?: number;
  dropped: boolean;
}

type Random = () => number;

/**
 * The push side of the OKKI simulator: one callback, subscriptions per biz_type, signed encrypted
 * deliveries with the 10/30/60 s retry schedule, and the faults above.
 */
export class PushDispatcher {
  callbackUrl?: string;
  securityConfig?: string;
  readonly subscriptions = new Set<string>();
  readonly stats: PushStats = emptyPushStats();
  readonly log: PushLogEntry[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private sequence = 0;
  private closed = false;

  constructor(
    readonly faults: PushFaults,
    private readonly random: Random,
    private readonly options: PushOptions = {},
  ) {}

  register(callbackUrl: string): { security_method: string; security_config: string } {
    this.callbackUrl = callbackUrl;
    this.securityConfig = this.options.securityConfig ?? newSecurityConfig();
    return { security_method: 'aes-256-gcm', security_config: this.securityConfig };
  }

  subscribe(bizTypes: string[]): void {
    for (const t of bizTypes) this.subscriptions.add(t);
  }

  /** A receipt create/update/delete in OKKI. */
  receiptEvent(event: 'create' | 'update' | 'delete', receiptId: number): void {
    const bizType = `xiaoman.crm.cash_collection.${event}`;
    if (!this.callbackUrl || !this.subscriptions.has(bizType) || this.closed) return;
    const messageId = this.nextMessageId();
    const entry: PushLogEntry = { messageId, bizType, receiptId, createdAtMs: Date.now(), dropped: false };
    this.log.push(entry);
    if (this.log.length > 100_000) this.log.splice(0, this.log.length - 100_000);
    this.stats.messages += 1;
    if (this.faults.dropRate > 0 && this.random() < this.faults.dropRate) {
      entry.dropped = true;
      this.stats.dropped += 1;
      return;
    }
    const plain = JSON.stringify({ biz: [{ biz_type: bizType, biz_data: { cash_collection_id: receiptId } }] });
    const copies = this.faults.duplicateRate > 0 && this.random() < this.faults.duplicateRate ? 2 : 1;
    if (copies === 2) this.stats.duplicated += 1;
    for (let i = 0; i < copies; i++) this.schedule(this.firstDelay(), () => this.deliver(entry, plain, 0));
  }

  /** POST /v1/webhook/test: one test message now; resolves with the callback's answer. */
  async test(): Promise<{ status: number; body: string }> {
    if (!this.callbackUrl || !this.securityConfig) throw new Error('no callback registered');
    const bizData = { test: 'hello from OKKI', at: new Date().toISOString() };
    const plain = JSON.stringify({ biz: [{ biz_type: 'xiaoman.webhook.test', biz_data: bizData }] });
    return this.post(this.nextMessageId(), plain, false);
  }

  /** Resolves when no delivery is scheduled or running. */
  async idle(): Promise<void> {
    while (this.timers.size > 0 || this.inFlight.size > 0) await new Promise((r) => setTimeout(r, 10));
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private nextMessageId(): string {
    this.sequence += 1;
    return `msg_${Date.now().toString(36)}_${this.sequence}`;
  }

  private firstDelay(): number {
    return this.faults.delayMs + (this.faults.reorderMs > 0 ? Math.floor(this.random() * this.faults.reorderMs) : 0);
  }

  private schedule(ms: number, run: () => Promise<void>): void {
    if (this.closed) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      const p = run().finally(() => this.inFlight.delete(p));
      this.inFlight.add(p);
    }, ms);
    this.timers.add(t);
  }

  private async deliver(entry: PushLogEntry, plain: string, retry: number): Promise<void> {
    const badSignature = this.faults.badSignatureRate > 0 && this.random() < this.faults.badSignatureRate;
    const answer = await this.post(entry.messageId, plain, badSignature).catch(() => undefined);
    if (answer && answer.status === 200 && acknowledges(answer.body, entry.messageId)) {
      this.stats.acknowledged += 1;
      entry.ackedAtMs ??= Date.now();
      return;
    }
    const delays = this.options.retryDelaysMs ?? [10_000, 30_000, 60_000];
    if (retry >= delays.length) {
      this.stats.abandoned += 1;
      return;
    }
    this.stats.retries += 1;
    this.schedule(delays[retry]!, () => this.deliver(entry, plain, retry + 1));
  }

  private async post(
    messageId: string,
    plain: string,
    badSignature: boolean,
  ): Promise<{ status: number; body: string }> {
    const secret = this.securityConfig!;
    const data = encryptPush(secret, plain);
    const body = JSON.stringify({ message_id: messageId, data });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signed = this.options.signatureReading === 'data' ? data : body;
    const signature = signPush(badSignature ? `${secret}x` : secret, timestamp, signed);
    this.stats.attempts += 1;
    const res = await fetch(this.callbackUrl!, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': signature, 'x-timestamp': timestamp },
      body,
      signal: AbortSignal.timeout(5_000),
    });
    return { status: res.status, body: await res.text() };
  }
}

function acknowledges(body: string, messageId: string): boolean {
  try {
    return (JSON.parse(body) as { data?: { message_id?: unknown } }).data?.message_id === messageId;
  } catch {
    return false;
  }
}

export function emptyPushStats(): PushStats {
  return { messages: 0, dropped: 0, duplicated: 0, attempts: 0, acknowledged: 0, retries: 0, abandoned: 0 };
}
