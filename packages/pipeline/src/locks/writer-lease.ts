import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { formatChinaTime, WriterNotActiveError, type Logger, type RedisClient } from '@receipt-sync/core';

/** Who holds the writer lease, as every process reads it from Redis. */
export interface LeaseHolder {
  /** Random id of the holding process's lease instance. */
  id: string;
  /** Process name (`writer`, `receipt-sync`, `sync-once`), host and pid: what an operator looks for. */
  process: string;
  host: string;
  pid: number;
  /** Fencing number: one more at every grant, so a later holder always has a higher one. */
  epoch: number;
  /** When this holder took the lease (ms since the epoch, Redis's clock). */
  sinceMs: number;
}

/** The deployment's writer as Redis knows it (status page, `status`, `doctor`, alerts). */
export interface WriterLeaseView {
  holder?: LeaseHolder;
  /** Writer processes waiting as hot standbys (heard from within the lease time). */
  standbys: number;
  /** Last time any writer held the lease (ms, Redis's clock); with no holder, vacancy started here. */
  lastHeldMs?: number;
  /** Redis's clock when read. */
  nowMs: number;
}

const keys = (prefix: string) => ({
  lease: `${prefix}:writer:lease`,
  standbys: `${prefix}:writer:standbys`,
  epoch: `${prefix}:writer:epoch`,
  lastHeld: `${prefix}:writer:last-held`,
});

/**
 * One heartbeat of a writer process. KEYS: lease, standbys (sorted set, score = expiry ms), epoch
 * counter, last-held (ms). ARGV: my id, the lease value I hold ('' if none), ttl ms, holder text.
 * Renews my lease, or takes a free one (epoch + 1), or registers me as a standby. Returns
 * {status, the lease value now, standbys, Redis time}. One script: every key shares QUEUE_PREFIX's
 * hash tag on a Redis Cluster.
 */
const BEAT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[3])
local current = redis.call('GET', KEYS[1])
local status = 'standby'
if current and ARGV[2] ~= '' and current == ARGV[2] then
  redis.call('PEXPIRE', KEYS[1], ttl)
  status = 'held'
elseif not current then
  local epoch = redis.call('INCR', KEYS[3])
  current = epoch .. ' ' .. now .. ' ' .. ARGV[4]
  redis.call('SET', KEYS[1], current, 'PX', ttl)
  status = 'acquired'
end
if status == 'standby' then
  redis.call('ZADD', KEYS[2], now + ttl, ARGV[1])
else
  redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('SET', KEYS[4], now)
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
redis.call('PEXPIRE', KEYS[2], ttl * 3)
return {status, current or '', redis.call('ZCARD', KEYS[2]), now}
`;

/** The fencing check: 1 and the lease extended when `ARGV[1]` still holds it, else 0. */
const VERIFY = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end
`;

/** Gives the lease up if still mine, leaving the time it was last held for the vacancy alert. */
const RELEASE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local t = redis.call('TIME')
redis.call('SET', KEYS[2], tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
return redis.call('DEL', KEYS[1])
`;

/**
 * A Redis call that gives up after `ms`: after a Redis Cluster failover a command can wait for ever
 * on the node that died, and a heartbeat or a fencing check that never returns would stop the writer
 * for good (no renewal, no takeover, a batch waiting on its fence).
 */
function within<T>(call: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([call, late]).finally(() => clearTimeout(timer));
}

/** A lease value `epoch since {"id":…,"process":…,"host":…,"pid":…}` as a holder (undefined when unreadable). */
export function parseLeaseValue(value: string | null | undefined): LeaseHolder | undefined {
  const match = value ? /^(\d+) (\d+) (\{.*\})$/.exec(value) : null;
  if (!match) return undefined;
  try {
    const who = JSON.parse(match[3]!) as { id: string; process: string; host: string; pid: number };
    return { ...who, epoch: Number(match[1]), sinceMs: Number(match[2]) };
  } catch {
    return undefined;
  }
}

/** Reads who holds the writer lease and how many standbys wait, without taking part. */
export async function readWriterLease(redis: RedisClient, prefix: string): Promise<WriterLeaseView> {
  const k = keys(prefix);
  const [time, value, lastHeld] = await Promise.all([redis.time(), redis.get(k.lease), redis.get(k.lastHeld)]);
  const nowMs = Number(time[0]) * 1000 + Math.floor(Number(time[1]) / 1000);
  const standbys = await redis.zcount(k.standbys, nowMs, '+inf');
  return {
    holder: parseLeaseValue(value),
    standbys,
    lastHeldMs: lastHeld === null ? undefined : Number(lastHeld),
    nowMs,
  };
}

export interface WriterLeaseOptions {
  redis: RedisClient;
  /** QUEUE_PREFIX: keys are `${prefix}:writer:…`. */
  prefix: string;
  /** WRITER_LEASE_SECONDS in ms: a holder that stops renewing loses the lease this long after its last renewal. */
  ttlMs: number;
  /** Process name shown to operators. */
  process: string;
  logger: Logger;
  /** Called, one call at a time, when this process becomes the active writer (true) or stops being it (false). */
  onChange(active: boolean): Promise<void>;
  /** How often a standby asks for the lease. @defaultValue min(1000, ttlMs / 5) */
  standbyPollMs?: number;
}

/**
 * The writer lease: exactly one writer process writes to K3Cloud at a time; every other one is a hot
 * standby that takes over once the lease is free (at once after a clean stop, within WRITER_LEASE_SECONDS
 * after a crash). `SET NX PX` in one script, renewed at a third of its time; `fence()` before every
 * BatchSave checks in Redis that the lease is still held under the value it was granted with.
 */
export class WriterLease {
  readonly id = randomUUID();
  private value = '';
  /** Local deadline of the lease: its last grant or renewal, measured from before the call, plus the ttl. */
  private validUntil = 0;
  private timer: NodeJS.Timeout | undefined;
  private changes: Promise<void> = Promise.resolve();
  private beating = false;
  private stopped = false;
  private standbys = 0;

  constructor(private readonly opts: WriterLeaseOptions) {}

  /** True while this process holds the lease by its own clock (fence() asks Redis too). */
  active(): boolean {
    return this.value !== '' && Date.now() < this.validUntil;
  }

  /** Who holds the lease by this process's last heartbeat, and the standbys then. */
  status(): { active: boolean; holder?: LeaseHolder; standbys: number } {
    return { active: this.active(), holder: parseLeaseValue(this.value), standbys: this.standbys };
  }

  async start(): Promise<void> {
    await this.beat();
    this.schedule();
  }

  /**
   * THE fencing check, before every BatchSave: throws WriterNotActiveError unless Redis still holds
   * this process's lease value (and extends it). Nothing is sent after a failed check.
   */
  async fence(): Promise<void> {
    const value = this.value;
    if (!this.active()) throw new WriterNotActiveError('the writer lease expired or was never held');
    const sentAt = Date.now();
    let held: unknown;
    try {
      held = await within(
        this.opts.redis.eval(VERIFY, 1, keys(this.opts.prefix).lease, value, String(this.opts.ttlMs)),
        this.callDeadlineMs(),
      );
    } catch (error) {
      throw new WriterNotActiveError('the writer lease could not be checked in Redis', { cause: error });
    }
    if (held !== 1) {
      this.lose(value, 'another writer holds the lease');
      throw new WriterNotActiveError('another writer holds the lease');
    }
    if (this.value === value) this.validUntil = Math.max(this.validUntil, sentAt + this.opts.ttlMs);
  }

  /** Stops taking part; gives the lease up at once when held (a standby takes over within its poll). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const value = this.value;
    if (value) {
      this.setInactive(value, 'stopping');
      await this.changes;
      const k = keys(this.opts.prefix);
      await within(this.opts.redis.eval(RELEASE, 2, k.lease, k.lastHeld, value), this.callDeadlineMs()).catch(
        () => undefined,
      );
    }
    await this.changes;
  }

  /** How long one lease call may take: a third of the lease, so a hung call never outlives it. */
  private callDeadlineMs(): number {
    return Math.max(500, Math.floor(this.opts.ttlMs / 3));
  }

  private schedule(): void {
    if (this.stopped) return;
    const every = this.value
      ? Math.max(100, Math.floor(this.opts.ttlMs / 3))
      : (this.opts.standbyPollMs ?? Math.max(50, Math.min(1000, Math.floor(this.opts.ttlMs / 5))));
    this.timer = setTimeout(() => void this.beat().finally(() => this.schedule()), every);
    this.timer.unref();
  }

  private async beat(): Promise<void> {
    if (this.beating || this.stopped) return;
    this.beating = true;
    const sentAt = Date.now();
    const mine = this.value;
    try {
      const [status, current, standbys] = (await within(
        this.opts.redis.eval(
          BEAT,
          4,
          ...Object.values(keys(this.opts.prefix)),
          this.id,
          mine,
          String(this.opts.ttlMs),
          JSON.stringify({ id: this.id, process: this.opts.process, host: hostname(), pid: process.pid }),
        ),
        this.callDeadlineMs(),
      )) as [string, string, number, number];
      this.standbys = standbys;
      if (status === 'standby') {
        if (mine) this.lose(mine, 'another writer holds the lease');
        this.value = '';
        return;
      }
      this.validUntil = sentAt + this.opts.ttlMs;
      if (status === 'acquired') this.gain(current);
    } catch (err) {
      // Redis away: the lease lapses by the local clock; writing stops when it does (fence and active()).
      this.opts.logger.warn({ err }, 'writer lease heartbeat failed');
      if (mine && !this.active()) this.lose(mine, 'the lease could not be renewed in time');
    } finally {
      this.beating = false;
    }
  }

  private gain(value: string): void {
    this.value = value;
    const holder = parseLeaseValue(value);
    this.opts.logger.info({ epoch: holder?.epoch, standbys: this.standbys }, 'this process is the active writer');
    this.enqueue(true);
  }

  private lose(value: string, reason: string): void {
    if (this.value !== value || !value) return;
    this.opts.logger.warn({ reason }, 'this process stopped being the active writer');
    this.setInactive(value, reason);
  }

  private setInactive(value: string, reason: string): void {
    if (this.value !== value) return;
    this.value = '';
    this.validUntil = 0;
    if (reason !== 'stopping') this.opts.logger.debug({ reason }, 'writer lease given up');
    this.enqueue(false);
  }

  private enqueue(active: boolean): void {
    this.changes = this.changes
      .then(() => this.opts.onChange(active))
      .catch((err: unknown) => this.opts.logger.error({ err, active }, 'switching the writer on or off failed'));
  }
}

/** One line on the deployment's writer, for `doctor`, `status` and the status page. */
export function describeWriterLease(view: WriterLeaseView): string {
  const standbys = `${view.standbys} standby${view.standbys === 1 ? '' : 's'}`;
  const h = view.holder;
  if (h) {
    const since = formatChinaTime(new Date(h.sinceMs));
    return `active writer: ${h.process} on ${h.host} (pid ${h.pid}), since ${since} China time (lease #${h.epoch}); ${standbys}`;
  }
  if (view.lastHeldMs === undefined) return `no writer has held the writer lease yet; ${standbys}`;
  const vacant = Math.round((view.nowMs - view.lastHeldMs) / 1000);
  return `no active writer for ${vacant} s (last held ${formatChinaTime(new Date(view.lastHeldMs))} China time); ${standbys}`;
}
