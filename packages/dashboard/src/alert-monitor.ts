import { redactText } from '@receipt-sync/core';
import { applyRules, type Alerter, type AlertRules, type PipelineSnapshot } from './alerts';
import {
  unfinishedCount,
  type K3CloudAttention,
  type PipelineQueues,
  type StuckReceiptsReport,
  type WriterLeaseView,
} from '@receipt-sync/pipeline';
import { SERIES, type Checkpoint, type SyncStore, type TimeSeries, type WindowRecord } from '@receipt-sync/store';
import { checkpointLagSeconds, consecutiveWindowFailures, k3LoginFailing, RECEIPTS_STREAM } from './pipeline-signals';
import type { DashboardLogger } from './types';
import type { PushSource } from './status';

export interface AlertMonitorOptions {
  queues: PipelineQueues;
  store: SyncStore;
  alerter: Pick<Alerter, 'raise' | 'resolve'>;
  rules: AlertRules;
  /** Time between the end of one evaluation and the start of the next. */
  intervalMs: number;
  logger: DashboardLogger;
  /** Where each evaluation records the checkpoint lag for the dashboard's chart. */
  series?: TimeSeries;
  /** OKKI push state; with `configured`, missed pushes feed the `missed-pushes` rule. */
  push?: PushSource;
  /** What the writer found out about K3Cloud (metadata preflight, orders left un-audited). */
  attention?: Pick<K3CloudAttention, 'metadata' | 'unauditedOrders'> & Partial<Pick<K3CloudAttention, 'duplicateRows'>>;
  /** Who holds the writer lease (readWriterLease); feeds the `no-active-writer` rule. */
  writer?: () => Promise<WriterLeaseView>;
  /** The stuck-receipts sweeper's last report; feeds the `stuck-receipts` rule. */
  stuck?: Pick<StuckReceiptsReport, 'last'>;
  now?: () => Date;
}

export interface AlertMonitor {
  /** Evaluates once now (also what the timer does); resolves with the snapshot it used. */
  tick(): Promise<PipelineSnapshot>;
  /** Stops the timer and waits for a running evaluation to finish. */
  stop(): Promise<void>;
}

/** Windows read per evaluation; enough to see any sensible `windowFailuresThreshold`. */
const WINDOWS_READ = 50;
/** Newest API calls searched for K3Cloud logins; records older than one interval are ignored anyway. */
const AUDIT_READ = 2000;

async function deadLetterCount(queues: PipelineQueues): Promise<number> {
  const counts = await Promise.all(
    [queues['dead-letter'], queues.quarantine].map((q) =>
      q.getJobCounts('wait', 'prioritized', 'delayed', 'failed', 'completed', 'active'),
    ),
  );
  return counts.flatMap((c) => Object.values(c)).reduce((a, b) => a + b, 0);
}

/**
 * Evaluates the alert rules every `intervalMs` from what the pipeline left in Redis and the store,
 * so it works in the supervisor and in a separate dashboard process alike (a chat alert is the
 * only page an operator gets: Bull Board pages no one: docs/operations.md#dead-letters-and-bull-board).
 *
 * The first evaluation takes the current dead-letter count as its baseline: a restart does not
 * re-announce old dead letters as "growing"; they stay visible on the dashboard.
 */
export function startAlertMonitor(opts: AlertMonitorOptions): AlertMonitor {
  const now = opts.now ?? (() => new Date());
  let previousDead: number | undefined;
  let loginFailing = false;
  let lastCheckpoint: Checkpoint | undefined;
  let lastTickAt: Date | undefined;
  let lastWindowAt: Date | undefined;
  const monitoringSince = now();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<PipelineSnapshot> | undefined;
  let stopped = false;

  async function evaluate(): Promise<PipelineSnapshot> {
    const at = now();
    const [
      dead,
      checkpoint,
      windows,
      calls,
      metadata,
      unaudited,
      push,
      writerVacant,
      stuck,
      duplicates,
      receipts,
      causes,
    ] = await Promise.all([
      deadLetterCount(opts.queues),
      opts.store.checkpoints.get(RECEIPTS_STREAM),
      opts.store.windows.latest(WINDOWS_READ),
      opts.store.audit.recent(AUDIT_READ),
      opts.attention?.metadata(),
      opts.attention?.unauditedOrders(),
      opts.push?.configured ? opts.push.state.summary(at.getTime()) : undefined,
      writerVacantSeconds(),
      opts.stuck?.last(),
      opts.attention?.duplicateRows?.(),
      opts.store.ledger.countByStatus(),
      opts.store.ledger.latestErrors(1),
    ]);
    const top = causes[0];
    const topOrder = top
      ? (await opts.store.ledger.getMany(top.sampleReceiptIds.slice(0, 1))).values().next().value
      : undefined;
    // "In the last interval": since the previous evaluation, or one interval back on the first.
    const since = lastTickAt ?? new Date(at.getTime() - opts.intervalMs);
    loginFailing = k3LoginFailing(calls, since, loginFailing);
    const snapshot: PipelineSnapshot = {
      deadLetterCount: dead,
      previousDeadLetterCount: previousDead ?? dead,
      consecutiveWindowFailures: consecutiveWindowFailures(windows),
      secondsSinceLastWindow: secondsSinceLastWindow(windows, at),
      checkpointLagSeconds: lagOf(checkpoint, at),
      k3LoginFailing: loginFailing,
      missedPushesLastHour: push?.missedLastHour,
      metadataUnknownKeys: metadata && !metadata.ok ? metadata.unknownKeys : [],
      unauditedOrders: (unaudited ?? []).map((o) => `${o.billNo} (FID ${o.fid})`),
      writerVacantSeconds: writerVacant,
      stuckReceipts: stuck && {
        count: stuck.stuck,
        redriven: stuck.redriven,
        stuckSeconds: stuck.stuckSeconds,
        samples: stuck.samples.slice(0, 3).map((v) => `#${v.receiptId} ${v.version}`),
      },
      duplicateRows: (duplicates ?? []).map((d) => `${d.receiptNo} on FID ${d.fid} (rows ${d.entryIds.join(', ')})`),
      // Receipts (the ledger), as the status page's cards and outcome table count them.
      deadLetteredReceipts: receipts['dead-lettered'],
      quarantinedReceipts: receipts.quarantined,
      ...(top
        ? {
            topCause: {
              code: top.code,
              message: redactText(top.message),
              count: top.count,
              ...(topOrder?.orderId ? { orderId: topOrder.orderId } : {}),
            },
          }
        : {}),
    };
    const lag = checkpointLagSeconds(checkpoint, at);
    if (opts.series && lag !== undefined)
      await opts.series
        .sample(SERIES.checkpointLag, lag, at)
        .catch((err: unknown) => opts.logger.warn({ err }, 'alert monitor: could not record the checkpoint lag'));
    await applyRules(opts.alerter, opts.rules.evaluate(snapshot));
    previousDead = dead;
    lastTickAt = at;
    if (checkpoint) lastCheckpoint = checkpoint;
    return snapshot;
  }

  /**
   * How long no writer has held the lease while rows wait in `ready`: from when it was last held, or
   * (never held) from when monitoring began. 0 when a writer holds it or nothing waits.
   */
  async function writerVacantSeconds(): Promise<number | undefined> {
    if (!opts.writer) return undefined;
    const view = await opts.writer();
    if (view.holder || (await unfinishedCount(opts.queues.ready)) === 0) return 0;
    const since = view.lastHeldMs ?? monitoringSince.getTime();
    return Math.max(0, Math.round((view.nowMs - since) / 1000));
  }

  /**
   * Before the first checkpoint there is nothing to lag behind (0). A checkpoint that existed and is
   * gone (Redis restarted empty) is not "no lag": the lag runs on from the last one seen.
   */
  function lagOf(checkpoint: Checkpoint | undefined, at: Date): number {
    if (!checkpoint && lastCheckpoint) {
      opts.logger.warn(
        { lastWindowEnd: lastCheckpoint.windowEnd },
        'alert monitor: the sync checkpoint is gone from the store; counting lag from the last one seen',
      );
    }
    return checkpointLagSeconds(checkpoint ?? lastCheckpoint, at) ?? 0;
  }

  /**
   * From the newest window's start; windows gone from the store (Redis restarted empty) do not reset it, and
   * before any window was seen it counts from when monitoring began.
   */
  function secondsSinceLastWindow(windows: readonly WindowRecord[], at: Date): number {
    const newest = windows.reduce<Date | undefined>(
      (max, w) => (!max || w.startedAt > max ? w.startedAt : max),
      undefined,
    );
    if (newest && (!lastWindowAt || newest > lastWindowAt)) lastWindowAt = newest;
    const from = lastWindowAt ?? monitoringSince;
    return Math.max(0, Math.round((at.getTime() - from.getTime()) / 1000));
  }

  function tick(): Promise<PipelineSnapshot> {
    // Never two evaluations at once: a slow store must not double-count the dead-letter delta.
    running ??= evaluate().finally(() => {
      running = undefined;
    });
    return running;
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      tick()
        .catch((error: unknown) =>
          opts.logger.warn({ err: error }, 'alert monitor: evaluation failed; retrying next interval'),
        )
        .finally(schedule);
    }, opts.intervalMs);
    timer.unref();
  }

  void tick()
    .catch((error: unknown) => opts.logger.warn({ err: error }, 'alert monitor: first evaluation failed'))
    .finally(schedule);

  return {
    tick,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}
