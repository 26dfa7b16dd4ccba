import type { Alerter, OpenIncident } from './alerts';
import type { ApiCallRecord } from '@receipt-sync/core';
import { formatChinaTime, redactText } from '@receipt-sync/core';
import { QUEUE_STATES } from '@receipt-sync/core';
import {
  freshnessFigures,
  laneBacklogs,
  PIPELINE_QUEUES,
  type LaneBacklog,
  type FreshnessFigures,
  type K3CloudAttention,
  type MetadataReport,
  type PipelineQueues,
  type PushState,
  type QueueName,
  type StuckReceiptsReport,
  type StuckSweepReport,
  type UnauditedOrder,
  type WriterLeaseView,
  describeWriterLease,
} from '@receipt-sync/pipeline';
import type { Lane, ReceiptStatus } from '@receipt-sync/core';
import type { ErrorGroup, SyncStore, WindowRecord } from '@receipt-sync/store';

import { checkpointLagSeconds, FAILED_CALL_SCAN, failedCalls, RECEIPTS_STREAM } from './pipeline-signals';

/** Everything `GET /api/status` answers and the page shows. Times are China time unless named `…At`. */
export interface DashboardStatus {
  /** China time when the status was read. */
  now: string;
  checkpoint: {
    stream: string;
    /** `YYYY-MM-DD HH:mm:ss`, Asia/Shanghai: receipts updated up to here are done. */
    windowEnd: string;
    updatedAt: string;
    /** now − windowEnd in seconds; null when windowEnd cannot be read. */
    lagSeconds: number | null;
  } | null;
  /** store.windows.latest(10), newest first. */
  windows: WindowRecord[];
  /** Job counts per queue and state. */
  queues: Record<QueueName, Record<string, number>>;
  /** Jobs waiting per lane of the stage queues, and how long the oldest has waited. */
  lanes: Record<'raw' | 'ready', Record<Lane, LaneBacklog>>;
  /** Ledger entries per outcome. */
  ledger: Record<ReceiptStatus, number>;
  /** Current errors grouped by code and message, newest group first. */
  errors: ErrorGroup[];
  /** Open alert incidents; null when this process runs no alerter. */
  incidents: OpenIncident[] | null;
  /** Failed OKKI/K3Cloud calls among the newest FAILED_CALL_SCAN, newest first. */
  failedCalls: ApiCallRecord[];
  /** What the writer found out about K3Cloud: the last metadata preflight (null before any) and orders left un-audited. */
  k3cloud: { metadata: MetadataReport | null; unauditedOrders: UnauditedOrder[] };
  /** Freshness of the last hour and OKKI push health; null when this process was given no push state. */
  push: PushPanel | null;
  /** Who holds the writer lease (the active writer) and the standbys, in one line too; null when not read. */
  writer: (WriterLeaseView & { summary: string }) | null;
  /**
   * Receipt versions the producer's last sweep found stuck (seen over SYNC_STUCK_SECONDS ago, no
   * outcome, no job) and re-queued; null when not read or before any sweep.
   */
  stuck: StuckSweepReport | null;
}

/** receipt_freshness_seconds of the last hour (K3Cloud-confirmed write − OKKI update_time) and push health. */
export interface PushPanel {
  configured: boolean;
  lastMessageAt: string | null;
  missedLastHour: number;
  freshness: Record<'all' | 'push' | 'window', FreshnessFigures>;
}

/** Where the push panel reads from (pipeline PushState under QUEUE_PREFIX). */
export interface PushSource {
  state: Pick<PushState, 'summary' | 'freshness'>;
  /** XIAOMAN_WEBHOOK_SECRET is set. */
  configured: boolean;
}

async function pushPanel(src: PushSource | undefined, now: Date): Promise<PushPanel | null> {
  if (!src) return null;
  const [summary, samples] = await Promise.all([
    src.state.summary(now.getTime()),
    src.state.freshness(now.getTime() - 3600_000),
  ]);
  return {
    configured: src.configured,
    lastMessageAt: summary.lastMessageAt?.toISOString() ?? null,
    missedLastHour: summary.missedLastHour,
    freshness: freshnessFigures(samples),
  };
}

export interface StatusSources {
  queues: PipelineQueues;
  store: SyncStore;
  alerter?: Pick<Alerter, 'openIncidents'>;
  push?: PushSource;
  attention?: Pick<K3CloudAttention, 'metadata' | 'unauditedOrders'>;
  /** Reads the writer lease (readWriterLease on the deployment's Redis and prefix). */
  writer?: () => Promise<WriterLeaseView>;
  /** The stuck-receipts sweeper's last report (StuckReceiptsReport on the deployment's Redis and prefix). */
  stuck?: Pick<StuckReceiptsReport, 'last'>;
  now?: () => Date;
}

export const STATUS_WINDOWS = 10;
export const STATUS_ERROR_GROUPS = 20;
export const STATUS_FAILED_CALLS = 20;

async function queueCounts(queues: PipelineQueues): Promise<Record<QueueName, Record<string, number>>> {
  const counts = await Promise.all(PIPELINE_QUEUES.map((name) => queues[name].getJobCounts(...QUEUE_STATES)));
  return Object.fromEntries(PIPELINE_QUEUES.map((name, i) => [name, counts[i]!])) as Record<
    QueueName,
    Record<string, number>
  >;
}

async function laneCounts(queues: PipelineQueues, now: Date): Promise<DashboardStatus['lanes']> {
  const [raw, ready] = await Promise.all([
    laneBacklogs(queues.raw, now.getTime()),
    laneBacklogs(queues.ready, now.getTime()),
  ]);
  return { raw, ready };
}

/** Reads the pipeline's state in parallel. Rejects when Redis or the store does not answer. */
export async function collectStatus(src: StatusSources): Promise<DashboardStatus> {
  const now = (src.now ?? (() => new Date()))();
  const [checkpoint, windows, queues, ledger, errors, calls, metadata, unaudited, push, writer, stuck, lanes] =
    await Promise.all([
      src.store.checkpoints.get(RECEIPTS_STREAM),
      src.store.windows.latest(STATUS_WINDOWS),
      queueCounts(src.queues),
      src.store.ledger.countByStatus(),
      src.store.ledger.latestErrors(STATUS_ERROR_GROUPS),
      // The audit filter takes one outcome only, and failures are "anything but ok".
      src.store.audit.recent(FAILED_CALL_SCAN),
      src.attention?.metadata(),
      src.attention?.unauditedOrders(),
      pushPanel(src.push, now),
      src.writer?.(),
      src.stuck?.last(),
      laneCounts(src.queues, now),
    ]);
  return {
    now: formatChinaTime(now),
    checkpoint: checkpoint
      ? {
          stream: checkpoint.stream,
          windowEnd: checkpoint.windowEnd,
          updatedAt: checkpoint.updatedAt.toISOString(),
          lagSeconds: checkpointLagSeconds(checkpoint, now) ?? null,
        }
      : null,
    windows,
    queues,
    lanes,
    ledger,
    errors: errors.map((e) => ({ ...e, message: redactText(e.message), template: redactText(e.template) })),
    incidents: src.alerter ? src.alerter.openIncidents() : null,
    failedCalls: failedCalls(calls, STATUS_FAILED_CALLS).map((c) =>
      c.message === undefined ? c : { ...c, message: redactText(c.message) },
    ),
    k3cloud: { metadata: metadata ?? null, unauditedOrders: unaudited ?? [] },
    push,
    writer: writer ? { ...writer, summary: describeWriterLease(writer) } : null,
    stuck: stuck ?? null,
  };
}
