import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ApiAuditSink } from '../audit';

export interface CreateMetricsOptions {
  /** Defaults to a fresh registry, so two apps in one process (the supervisor) never collide on prom-client's global one. */
  registry?: Registry;
  /** Prepended to every metric name; default `receipt_sync_`. */
  prefix?: string;
  /** Labels added to every series, e.g. `{ app: 'writer' }`. */
  defaultLabels?: Record<string, string>;
}

/**
 * API calls take from ~10 ms (a cached token) to the 120 s K3Cloud deadline (KINGDEE_TIMEOUT_MS
 * default), so buckets span 10 ms – 2 min.
 */
export const API_CALL_BUCKETS_SECONDS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120];

/** Freshness runs from about a second (push) to several polling intervals. */
export const FRESHNESS_BUCKETS_SECONDS = [0.5, 1, 2, 3, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 3600];

export interface SyncMetrics {
  readonly registry: Registry;
  readonly receiptsFetched: Counter<'removed'>;
  readonly receiptsWritten: Counter;
  readonly receiptsUnchanged: Counter;
  readonly receiptsQuarantined: Counter<'reason'>;
  readonly receiptsDeadLettered: Counter<'code'>;
  /** Rows a BatchSave reported saved that the read-back showed K3Cloud did not hold (by cause). */
  readonly writesNotApplied: Counter<'cause'>;
  readonly apiCallDuration: Histogram<'system' | 'operation' | 'outcome'>;
  readonly apiCallErrors: Counter<'system' | 'operation' | 'error_class'>;
  readonly queueDepth: Gauge<'queue' | 'state'>;
  readonly checkpointLagSeconds: Gauge;
  readonly windowInFlight: Gauge;
  /** Receipts found on more than one K3Cloud row of one order (their extra rows are then flagged removed). */
  readonly duplicateRows: Counter;
  /** 1 in the writer process that holds the writer lease (the active writer), 0 in a standby. */
  readonly writerActive: Gauge;
  /** Writer processes waiting as hot standbys, as the writer lease last counted them. */
  readonly writerStandbys: Gauge;
  /** Unix time the newest sync window opened in this process (stalled-window alerts). */
  readonly windowOpenedTimestamp: Gauge;
  /** A receipt version's first sighting: by an OKKI push or by the polling window (a missed push). */
  readonly receiptsFirstSeen: Counter<'source'>;
  /** Where the transformer found a receipt's sales order (FID): ledger, index, index-miss or k3cloud. */
  readonly orderLookups: Counter<'source'>;
  /** K3Cloud-confirmed write time − the receipt's OKKI update_time; source = push | window, lane = live | bulk. */
  readonly receiptFreshness: Histogram<'source' | 'lane'>;
  /** Jobs waiting in each lane of a stage queue (raw, ready): live = BullMQ `wait`, bulk = `prioritized`. */
  readonly laneBacklog: Gauge<'queue' | 'lane'>;
  /** Age of the oldest job waiting in each lane of a stage queue (0 when none waits). */
  readonly laneOldestSeconds: Gauge<'queue' | 'lane'>;
  /** Receipt versions seen longer than SYNC_STUCK_SECONDS with no outcome and no job, at the last sweep. */
  readonly stuckReceipts: Gauge;
  /** Stuck receipt versions fetched from OKKI again and re-queued by the sweeper. */
  readonly stuckReceiptsRedriven: Counter;
  /** Push messages answered by the receiver, by result (accepted, duplicate, test, or a reject reason). */
  readonly webhookMessages: Counter<'result'>;
  /** Time from the request's arrival to the receiver's answer. */
  readonly webhookAckDuration: Histogram;
  /** Prometheus text exposition (format 0.0.4) of the whole registry. */
  metricsText(): Promise<string>;
  /** Content-Type that goes with `metricsText()`. */
  readonly contentType: string;
  /** Observes every ApiCallRecord into `apiCallDuration` and, when not ok, `apiCallErrors`. */
  auditSink(): ApiAuditSink;
}

type AnyMetric = Counter<string> | Gauge<string> | Histogram<string>;

/**
 * A metric already registered under that name is reused instead of throwing, so calling
 * createMetrics twice on one shared registry gives two views of the same series.
 */
function reuseOr<M extends AnyMetric>(registry: Registry, name: string, create: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? create();
}

export function createMetrics(options: CreateMetricsOptions = {}): SyncMetrics {
  const registry = options.registry ?? new Registry();
  const p = options.prefix ?? 'receipt_sync_';
  if (options.defaultLabels) registry.setDefaultLabels(options.defaultLabels);
  const registers = [registry];

  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    reuseOr(registry, p + name, () => new Counter<L>({ name: p + name, help, labelNames, registers }));
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    reuseOr(registry, p + name, () => new Gauge<L>({ name: p + name, help, labelNames, registers }));

  const apiCallDuration = reuseOr(
    registry,
    `${p}api_call_duration_seconds`,
    () =>
      new Histogram<'system' | 'operation' | 'outcome'>({
        name: `${p}api_call_duration_seconds`,
        help: 'Duration of each outbound OKKI / K3Cloud call attempt, by outcome',
        labelNames: ['system', 'operation', 'outcome'],
        buckets: API_CALL_BUCKETS_SECONDS,
        registers,
      }),
  );
  const apiCallErrors = counter(
    'api_call_errors_total',
    'Outbound call attempts that did not end ok; error_class is the error code, else the outcome',
    ['system', 'operation', 'error_class'],
  );

  const histogram = (name: string, help: string, labelNames: string[], buckets: number[]) =>
    reuseOr(registry, p + name, () => new Histogram({ name: p + name, help, labelNames, buckets, registers }));

  const metrics: SyncMetrics = {
    registry,
    receiptsFetched: counter(
      'receipts_fetched_total',
      'Receipts listed by OKKI (removed="true" for the removed list)',
      ['removed'],
    ),
    receiptsWritten: counter('receipts_written_total', 'Receipts written to a K3Cloud sales order row', []),
    receiptsUnchanged: counter(
      'receipts_unchanged_total',
      'Receipts skipped because their mapped content is unchanged',
      [],
    ),
    receiptsQuarantined: counter('receipts_quarantined_total', 'Receipts set aside for a person to look at', [
      'reason',
    ]),
    receiptsDeadLettered: counter('receipts_dead_lettered_total', 'Receipts that exhausted their retries', ['code']),
    writesNotApplied: counter(
      'writes_not_applied_total',
      'Rows K3Cloud reported saved but did not hold when read back (cause: order-locked or not-applied)',
      ['cause'],
    ),
    apiCallDuration,
    apiCallErrors,
    queueDepth: gauge('queue_depth', 'Jobs per BullMQ queue and state', ['queue', 'state']),
    laneBacklog: gauge('lane_backlog', 'Jobs waiting per stage queue and lane (live, bulk)', ['queue', 'lane']),
    laneOldestSeconds: gauge(
      'lane_oldest_seconds',
      'Age of the oldest job waiting per stage queue and lane (live, bulk); 0 when none waits',
      ['queue', 'lane'],
    ),
    checkpointLagSeconds: gauge('checkpoint_lag_seconds', 'Seconds between now and the committed checkpoint', []),
    windowInFlight: gauge('window_in_flight', '1 while a sync window is open and not yet committed', []),
    duplicateRows: counter(
      'duplicate_rows_total',
      'Receipts found on more than one K3Cloud row of one sales order; the extra rows are flagged removed',
      [],
    ),
    writerActive: gauge('writer_active', '1 in the writer process holding the writer lease, 0 in a standby', []),
    writerStandbys: gauge('writer_standbys', 'Writer processes waiting as hot standbys (writer lease heartbeat)', []),
    windowOpenedTimestamp: gauge(
      'window_opened_timestamp_seconds',
      'Unix time the newest sync window opened in this process',
      [],
    ),
    receiptsFirstSeen: counter(
      'receipts_first_seen_total',
      'Receipt versions by who saw them first: source="push" (OKKI push) or "poll" (the polling window)',
      ['source'],
    ),
    orderLookups: counter(
      'order_lookups_total',
      'Sales order lookups by F_Cash_Collection_Id, by where the answer came from: source="ledger" (the receipt\'s ' +
        'earlier write), "index" (the order index in the store), "index-miss" (a cached miss: held back without a ' +
        'K3Cloud call) or "k3cloud" (nothing cached: the writer\'s query before the save resolves it)',
      ['source'],
    ),
    receiptFreshness: histogram(
      'receipt_freshness_seconds',
      'K3Cloud-confirmed write time minus the receipt update_time in OKKI, by source (push, window) and lane (live, bulk)',
      ['source', 'lane'],
      FRESHNESS_BUCKETS_SECONDS,
    ) as Histogram<'source'>,
    stuckReceipts: gauge(
      'stuck_receipts',
      'Receipt versions seen longer than SYNC_STUCK_SECONDS with no outcome and no job left (last sweep)',
      [],
    ),
    stuckReceiptsRedriven: counter(
      'stuck_receipts_redriven_total',
      'Stuck receipt versions fetched from OKKI again and re-queued',
      [],
    ),
    webhookMessages: counter('webhook_messages_total', 'OKKI push messages answered by the receiver, by result', [
      'result',
    ]),
    webhookAckDuration: histogram(
      'webhook_ack_duration_seconds',
      'Receiver time from request arrival to answer',
      [],
      [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    ),
    metricsText: () => registry.metrics(),
    contentType: registry.contentType,
    auditSink: () => ({
      record(entry) {
        // A sink must never throw into the API call it observes (api-audit contract).
        try {
          const seconds = entry.durationMs / 1000;
          if (Number.isFinite(seconds) && seconds >= 0) {
            apiCallDuration.observe(
              { system: entry.system, operation: entry.operation, outcome: entry.outcome },
              seconds,
            );
          }
          if (entry.outcome !== 'ok') {
            apiCallErrors.inc({
              system: entry.system,
              operation: entry.operation,
              error_class: entry.errorCode ?? entry.outcome,
            });
          }
        } catch {
          // ignore: metrics are best-effort.
        }
      },
    }),
  };
  return metrics;
}
