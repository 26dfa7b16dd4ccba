import { RedisLocks } from '../locks';
import { StuckReceiptsReport, sweepStuckReceipts, type StuckSweepReport } from '../stuck';
import type { Runtime } from './runtime';

/** A sweep a minute, or more often when SYNC_STUCK_SECONDS is short (tests, demos). */
export function stuckSweepIntervalMs(stuckMs: number): number {
  return Math.min(60_000, Math.max(1_000, Math.floor(stuckMs / 4)));
}

export interface StuckSweeper {
  /**
   * Sweeps now (what the timer does); never two at once, in this process or across producer
   * replicas (a Redis lock). Undefined when another process is sweeping.
   */
  sweep(): Promise<StuckSweepReport | undefined>;
  stop(): Promise<void>;
}

/**
 * Runs in the producer process: every minute or so, receipt versions seen more than
 * SYNC_STUCK_SECONDS ago that have neither an outcome nor a live job are fetched from OKKI again and
 * re-queued (docs/operations.md#stuck-receipts). The result is counted (receipt_sync_stuck_receipts,
 * receipt_sync_stuck_receipts_redriven_total) and kept in Redis for the alert monitor and the dashboard.
 */
export function startStuckSweeper(rt: Runtime): StuckSweeper {
  if (!rt.okki) throw new Error('the stuck-receipts sweeper needs an OKKI client');
  const okki = rt.okki;
  const report = new StuckReceiptsReport(rt.connection, rt.config.queuePrefix);
  const stuckMs = rt.config.sync.stuckMs;
  const locks = new RedisLocks(rt.connection, 60_000);
  const lock = `${rt.config.queuePrefix}:lock:stuck-sweep`;
  let running: Promise<StuckSweepReport | undefined> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  async function once(): Promise<StuckSweepReport | undefined> {
    if ((await locks.acquire([lock])).length === 0) return undefined;
    return locks.hold([lock], sweepNow);
  }

  async function sweepNow(): Promise<StuckSweepReport> {
    const result = await sweepStuckReceipts(
      { queues: rt.queues, tracker: rt.tracker, ledger: rt.store.ledger, okki, logger: rt.logger },
      { stuckMs },
    );
    rt.metrics.stuckReceipts.set(result.stuck);
    rt.metrics.stuckReceiptsRedriven.inc(result.redriven);
    await report.save(result);
    if (result.stuck > 0)
      rt.logger.error(
        { stuck: result.stuck, redriven: result.redriven, stuckSeconds: result.stuckSeconds },
        'stuck receipts: versions seen long ago with no outcome and no job left were fetched from OKKI again',
      );
    return result;
  }

  function sweep(): Promise<StuckSweepReport | undefined> {
    running ??= once().finally(() => {
      running = undefined;
    });
    return running;
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      sweep()
        .catch((err: unknown) => rt.logger.warn({ err }, 'stuck-receipts sweep failed; trying again next time'))
        .finally(schedule);
    }, stuckSweepIntervalMs(stuckMs));
    timer.unref();
  }
  schedule();

  return {
    sweep,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}
