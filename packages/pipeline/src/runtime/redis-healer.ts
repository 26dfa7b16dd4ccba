import { randomUUID } from 'node:crypto';
import type { RedisClient } from '@receipt-sync/core';
import { withTimeout, type Logger } from '@receipt-sync/core';

/** Something a process writes to Redis once at start-up and must write again after Redis lost it. */
export interface HealStep {
  name: string;
  run(): Promise<void>;
}

export interface RedisHealerOptions {
  connection: RedisClient;
  prefix: string;
  /** Names the process in the sentinel key and the logs. */
  processName: string;
  logger: Logger;
  steps: HealStep[];
  /** How often the sentinel is checked (also at every reconnect). @defaultValue 5000 */
  checkMs?: number;
  /** Longest time without a confirmed state before `healthy()` turns false (REDIS_HEAL_TIMEOUT_SECONDS). */
  timeoutMs: number;
  /** Deadline of one check or one rebuild: a frozen Redis must not hold it. @defaultValue 10000 */
  stepTimeoutMs?: number;
  now?: () => number;
}

/**
 * Notices that Redis lost this process's start-up state — restarted empty, failed over to an empty
 * replica, flushed — and writes it again. A sentinel key of this process (refreshed at every
 * check, expiring a while after the process stops) is set once the state is in place; its absence
 * at a check or a reconnect means the state may be gone, and every step runs again (each step is
 * idempotent, so a false alarm costs nothing). `healthy()` is false when no check has succeeded for
 * `timeoutMs`, so /healthz fails and an orchestrator restarts a process that cannot heal.
 */
export class RedisHealer {
  private readonly key: string;
  private readonly checkMs: number;
  private readonly stepTimeoutMs: number;
  private readonly now: () => number;
  private lastConfirmedAt: number;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private readonly onReady = () => void this.check();
  /** Times the state was found missing and rebuilt. */
  heals = 0;

  constructor(private readonly options: RedisHealerOptions) {
    this.key = `${options.prefix}:sentinel:${options.processName}:${randomUUID().slice(0, 8)}`;
    this.checkMs = options.checkMs ?? 5_000;
    this.stepTimeoutMs = options.stepTimeoutMs ?? 10_000;
    this.now = options.now ?? Date.now;
    this.lastConfirmedAt = this.now();
  }

  /** Marks the start-up state as written (call after the steps ran once) and starts checking. */
  async start(): Promise<void> {
    await this.mark();
    this.options.connection.on('ready', this.onReady);
    this.timer = setInterval(() => void this.check(), this.checkMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.options.connection.off('ready', this.onReady);
  }

  healthy(): boolean {
    return this.now() - this.lastConfirmedAt <= this.options.timeoutMs;
  }

  /** Milliseconds since the state was last confirmed (for the /healthz reason). */
  staleForMs(): number {
    return this.now() - this.lastConfirmedAt;
  }

  /** One check (and rebuild when needed); concurrent callers share it. Never rejects. */
  check(): Promise<void> {
    this.running ??= this.checkOnce().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async checkOnce(): Promise<void> {
    const { connection, logger } = this.options;
    try {
      const present = await withTimeout(connection.exists(this.key), this.stepTimeoutMs, 'redis sentinel check');
      if (present === 1) {
        await this.mark();
        return;
      }
      logger.warn(
        { sentinel: this.key, steps: this.options.steps.map((s) => s.name) },
        'redis lost this process state (restarted empty or flushed?); writing it again',
      );
      for (const step of this.options.steps) await withTimeout(step.run(), this.stepTimeoutMs, `heal: ${step.name}`);
      await this.mark();
      this.heals += 1;
      logger.warn({ heals: this.heals }, 'redis state written again; the pipeline resumes');
    } catch (error) {
      logger.warn(
        { err: error, staleForMs: this.staleForMs(), timeoutMs: this.options.timeoutMs },
        'redis state check failed; retrying',
      );
    }
  }

  private async mark(): Promise<void> {
    const ttlMs = Math.max(this.checkMs * 12, 60_000);
    await withTimeout(
      this.options.connection.set(this.key, String(this.now()), 'PX', ttlMs),
      this.stepTimeoutMs,
      'redis sentinel write',
    );
    this.lastConfirmedAt = this.now();
  }
}

/**
 * The healer of one process: the store's start-up work and every stage's heal steps, checked every
 * few seconds and at each reconnect; unhealthy after REDIS_HEAL_TIMEOUT_SECONDS without a confirmed state.
 */
export async function startRedisHealer(
  rt: {
    name: string;
    connection: RedisClient;
    logger: Logger;
    config: { queuePrefix: string; redisHealTimeoutMs: number };
  },
  store: { init(): Promise<void> },
  stages: Array<{ heal?: HealStep[] }>,
): Promise<RedisHealer> {
  const healer = new RedisHealer({
    connection: rt.connection,
    prefix: rt.config.queuePrefix,
    processName: rt.name,
    logger: rt.logger,
    timeoutMs: rt.config.redisHealTimeoutMs,
    steps: [{ name: 'store', run: () => store.init() }, ...stages.flatMap((s) => s.heal ?? [])],
  });
  await healer.start();
  return healer;
}
