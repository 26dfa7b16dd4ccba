import { WriterNotActiveError, type Lane, type ReadinessCheck, type StageOutcome } from '@receipt-sync/core';
import type { Worker } from 'bullmq';
import { buildSaveOptions, fieldKinds, needsEnrichment, removedFlagField } from '@receipt-sync/mapping';
import { checkMappedKeys, K3CloudAttention, MetadataGate, type MetadataReport } from '../preflight';
import {
  createBatchWriter,
  redisLateWrites,
  RowBatcher,
  writeRow,
  type RowLocator,
  type WriterSaveOptions,
} from '../writer';
import { listedVersionKey, type ReadyRow } from '../queues';
import { parseChinaTime } from '@receipt-sync/core';
import { transformReceipt } from '../transformer';
import { runWindow, type WindowRun } from '../producer';
import type { HealStep } from './redis-healer';
import type { Runtime } from './runtime';
import { closeWorkers, countOutcome, startWorker } from './stage-worker';
import { startWriterWorkers } from './writer-workers';
import { startStuckSweeper } from './stuck-sweeper';
import { windowDeps } from './window-deps';
import { waitForWindowLock, withWindowLock, WriterLease } from '../locks';
import { PUSH_WINDOW_ID, processPushEvent } from '../push/push-events';

/** Receipt fetches in flight per push worker; OKKI pacing (XIAOMAN_MAX_RPS) bounds them anyway. */
const PUSH_CONCURRENCY = 8;

export interface RunningStage {
  /** The stage's BullMQ workers now (the active writer runs several on `ready`; a standby none). */
  workers: Worker[];
  /** Readiness checks this stage adds to /readyz (the writer's metadata preflight). */
  checks?: Record<string, ReadinessCheck>;
  close(): Promise<void>;
  /** What this stage wrote to Redis at start-up and must write again if Redis loses it. */
  heal?: HealStep[];
}

/** Opens one window now (under the cross-process window lock); undefined when another holds it. */
export async function openWindow(
  rt: Runtime,
  trigger: string,
  opts: { deferAdvance?: boolean; waitForLock?: boolean; signal?: AbortSignal } = {},
): Promise<WindowRun | undefined> {
  const deps = windowDeps(rt); // throws before the lock when this process has no OKKI client
  const lock = opts.waitForLock ? waitForWindowLock : withWindowLock;
  return lock(rt.connection, rt.config.queuePrefix, async () => {
    rt.metrics.windowInFlight.set(1);
    rt.metrics.windowOpenedTimestamp.setToCurrentTime();
    try {
      return await runWindow(
        {
          ...deps,
          onFetched: (n, removed) => rt.metrics.receiptsFetched.inc({ removed: String(removed) }, n),
          // With push configured, a version polling sees first is a push that never came (the sweeper's catch).
          onVersionsSeen: rt.config.webhook.secret
            ? async (keys) => {
                const first = await rt.push.recordFirstSeen(keys, 'poll');
                if (first > 0) rt.metrics.receiptsFirstSeen.inc({ source: 'poll' }, first);
              }
            : undefined,
          memory: rt.checkpointMemory,
          tracing: rt.tracing,
          signal: opts.signal,
        },
        trigger,
        { deferAdvance: opts.deferAdvance },
      );
    } finally {
      rt.metrics.windowInFlight.set(0);
    }
  });
}

/**
 * The producer: a job scheduler ticks every SYNC_INTERVAL_SECONDS; one window per tick. The
 * scheduler and the windows queue's concurrency live in Redis only, so they are also a heal step.
 * The stuck-receipts sweeper runs with it.
 */
export async function startProducerStage(rt: Runtime): Promise<RunningStage> {
  const windows = rt.queues.windows;
  const schedule: HealStep = {
    name: 'window scheduler',
    async run() {
      await windows.setGlobalConcurrency(1);
      // Upserted from one place (docs/operations.md#bullmq-6-and-ioredis).
      await windows.upsertJobScheduler(
        'receipt-windows',
        { every: rt.config.sync.intervalSeconds * 1000 },
        { name: 'tick', data: { trigger: 'schedule' } },
      );
    },
  };
  await schedule.run();
  const worker = startWorker(
    rt,
    'windows',
    async (job) => {
      const run = await openWindow(rt, job.data.trigger ?? 'schedule');
      return run ?? { skipped: 'another window is running or the window is empty' };
    },
    1,
  );
  // Jobs Redis lost (failover, flush) leave versions with no outcome and no job: re-driven from here.
  const sweeper = startStuckSweeper(rt);
  return {
    workers: [worker],
    close: async () => {
      await sweeper.stop();
      await closeWorkers(rt, [worker]);
    },
    heal: [schedule],
  };
}

export async function startTransformerStage(rt: Runtime): Promise<RunningStage> {
  const enrich = rt.okki && rt.config.okki?.enrichBank && needsEnrichment(rt.mapping) ? rt.okki : undefined;
  const deps = {
    queues: rt.queues,
    tracker: rt.tracker,
    ledger: rt.store.ledger,
    mapping: rt.mapping,
    orders: rt.store.orders,
    info: enrich,
    orderWaitDelaysMs: rt.config.workers.orderWaitDelaysMs,
    logger: rt.logger,
    onOutcome: (outcome: StageOutcome, d: { code?: string }) => countOutcome(rt, outcome, d.code),
    onOrderLookup: (source: string) => rt.metrics.orderLookups.inc({ source }),
  };
  const worker = startWorker(
    rt,
    'raw',
    (job, token) => transformReceipt(job, token, deps),
    rt.config.workers.transformerConcurrency,
  );
  return { workers: [worker], close: () => closeWorkers(rt, [worker]) };
}

export interface WriterStageOptions {
  /** A metadata check the caller just ran (else the stage runs its own). */
  preflight?: MetadataReport;
  /**
   * Stages that run only while this process is the active writer, beside its workers on `ready`
   * (reconcile requests: their K3Cloud calls then share the active writer's concurrency).
   */
  whileActive?: () => RunningStage[];
}

/** The writer: the active one writes, the others wait as hot standbys (docs/scaling.md#one-active-writer). */
export async function startWriterStage(
  rt: Runtime,
  opts: WriterStageOptions = {},
): Promise<RunningStage & { gate: MetadataGate; lease: WriterLease }> {
  const k3 = rt.k3;
  if (!k3 || !rt.config.k3cloud) throw new Error('the writer needs a K3Cloud client');
  const attention = new K3CloudAttention(rt.connection, rt.config.queuePrefix);
  // Nothing is written while the mapping does not fit the tenant's metadata (docs/apis/k3cloud.md §7).
  // Standbys check too: they take over ready to write.
  const gate = new MetadataGate({
    check: () => checkMappedKeys(k3, rt.mapping),
    attention,
    logger: rt.logger,
    recheckMs: rt.config.k3cloud.preflightRecheckMs,
  });
  await gate.start(opts.preflight);
  let active: ActiveWriter | undefined;
  const lease: WriterLease = new WriterLease({
    redis: rt.connection,
    prefix: rt.config.queuePrefix,
    ttlMs: rt.config.workers.writerLeaseMs,
    process: rt.name,
    logger: rt.logger,
    async onChange(isActive) {
      rt.metrics.writerActive.set(isActive ? 1 : 0);
      if (isActive) active ??= startActiveWriter(rt, { k3, gate, attention, lease, extra: opts.whileActive });
      else await active?.close();
      if (!isActive) active = undefined;
    },
  });
  await lease.start();
  const standbys = setInterval(() => rt.metrics.writerStandbys.set(lease.status().standbys), 1000);
  standbys.unref();
  return {
    get workers() {
      return active?.workers ?? [];
    },
    gate,
    lease,
    checks: { 'k3cloud-metadata': gate.readiness() },
    async close() {
      clearInterval(standbys);
      gate.stop();
      await lease.stop();
    },
  };
}

interface ActiveWriter {
  workers: Worker[];
  close(): Promise<void>;
}

/**
 * The writer at work, while this process holds the lease: a batcher with KINGDEE_MAX_CONCURRENCY
 * batches in flight, and the BullMQ workers that feed it. Closing stops taking rows; rows waiting
 * in the batcher go back to `ready` (no attempt spent) for the writer that holds the lease next.
 */
function startActiveWriter(
  rt: Runtime,
  parts: {
    k3: NonNullable<Runtime['k3']>;
    gate: MetadataGate;
    attention: K3CloudAttention;
    lease: WriterLease;
    extra?: () => RunningStage[];
  },
): ActiveWriter {
  const { k3, gate, attention, lease } = parts;
  const k3Config = rt.config.k3cloud!;
  const startedAt = Date.now();
  // The batcher and its writer refer to each other: the writer requeues rows into the batcher.
  const batcher: RowBatcher = new RowBatcher({
    batchSize: k3Config.batchSize,
    lingerMs: rt.config.workers.writerLingerMs,
    maxInFlight: k3Config.maxConcurrency,
    write: (rows, reserve) => write(rows, reserve),
  });
  const write = createBatchWriter({
    k3,
    ledger: rt.store.ledger,
    orderIndex: rt.store.orders,
    logger: rt.logger,
    locator: writerLocator(rt),
    saveOptions: writerSaveOptions(rt),
    fieldKinds: fieldKinds(rt.mapping),
    lockedOrderPolicy: k3Config.lockedOrderPolicy,
    fence: () => lease.fence(),
    lateWrites: redisLateWrites(rt.connection, rt.config.queuePrefix),
    lateWriteMs: k3Config.lateWriteMs,
    requeue: (p) => batcher.requeue(p),
    onNotApplied: (cause, n) => rt.metrics.writesNotApplied.inc({ cause }, n),
    onOrderLeftUnaudited: (order) => attention.markUnaudited(order),
    onOrderAudited: (fid) => attention.clearUnaudited(fid),
    onDuplicateRows: async (found) => {
      rt.metrics.duplicateRows.inc(found.length);
      await attention
        .recordDuplicates(found)
        .catch((err: unknown) => rt.logger.warn({ err }, 'could not record duplicate rows'));
    },
    tracing: rt.tracing,
  });
  const deps = {
    queues: rt.queues,
    tracker: rt.tracker,
    ledger: rt.store.ledger,
    batcher,
    logger: rt.logger,
    orderWaitDelaysMs: rt.config.workers.orderWaitDelaysMs,
    blocked: () => gate.blocked(),
    onFieldUnknown: (error: { fieldKeys: string[] }) => gate.reportUnknown(error.fieldKeys, rt.mapping.formId),
    onOutcome: (outcome: StageOutcome, d: { code?: string }) => countOutcome(rt, outcome, d.code),
    onWritten: (row: ReadyRow, confirmedAt: Date, lane: Lane) => recordFreshness(rt, row, confirmedAt, startedAt, lane),
    traceContext: rt.tracing?.current,
  };
  const workers = startWriterWorkers(rt, (job, token) => writeRow(job, token, deps));
  const extra = parts.extra?.() ?? [];
  return {
    workers: [...workers, ...extra.flatMap((s) => s.workers)],
    async close() {
      batcher.close(new WriterNotActiveError('the writer is stepping down'));
      await Promise.all([closeWorkers(rt, workers), ...extra.map((s) => s.close())]);
    },
  };
}

/**
 * receipt_freshness_seconds: K3Cloud-confirmed write time − the receipt's OKKI update_time. Only
 * versions saved while this writer runs count: a first load or a catch-up of older versions is
 * backlog, not freshness (checkpoint lag shows it), and would swamp the figure. The histogram has
 * both lanes; the freshness the dashboard and its alerts read is the live lane's only (bulk work is
 * slow on purpose: it waits behind live work).
 */
async function recordFreshness(
  rt: Runtime,
  row: ReadyRow,
  confirmedAt: Date,
  since: number,
  lane: Lane,
): Promise<void> {
  const updated = parseChinaTime(row.sourceVersion);
  // update_time has whole seconds: a version saved in the writer's first second still counts.
  if (!updated || updated.getTime() < since - 1000) return;
  const seconds = Math.max(0, (confirmedAt.getTime() - updated.getTime()) / 1000);
  const source = row.windowId === PUSH_WINDOW_ID ? 'push' : 'window';
  rt.metrics.receiptFreshness.observe({ source, lane }, seconds);
  if (lane === 'bulk') return;
  await rt.push.recordFreshness({
    atMs: confirmedAt.getTime(),
    seconds,
    source,
    versionKey: listedVersionKey(row),
  });
}

/** The push worker: each OKKI push event fetches its receipt into `raw` (runs with the producer). */
export async function startPushStage(rt: Runtime): Promise<RunningStage> {
  const okki = rt.okki;
  if (!okki) throw new Error('the push worker needs an OKKI client');
  const worker = startWorker(
    rt,
    'push',
    (job) =>
      processPushEvent(job, {
        queues: rt.queues,
        okki,
        state: rt.push,
        logger: rt.logger,
        history: rt.store.history,
        tracker: rt.tracker,
        onFirstSeen: (n) => rt.metrics.receiptsFirstSeen.inc({ source: 'push' }, n),
      }),
    PUSH_CONCURRENCY,
  );
  worker.on('failed', (job, err) => {
    if (job && job.attemptsMade >= (job.opts.attempts ?? 1))
      rt.logger.warn({ err, jobId: job.id }, 'push event gave up; the polling window will pick the receipt up');
  });
  return { workers: [worker], close: () => closeWorkers(rt, [worker]) };
}

/** Where every receipt row goes, from this writer's mapping. */
function writerLocator(rt: Runtime): RowLocator {
  return {
    formId: rt.mapping.formId,
    entity: rt.mapping.entity,
    rowKeyField: rt.mapping.rowKey.targetField,
    orderKeyField: rt.mapping.order.targetField,
    removedField: removedFlagField(rt.mapping),
  };
}

/**
 * The mapping spells K3Cloud's option names (IsDeleteEntry...), the client takes camel case. An
 * option lost here would fall back to K3Cloud's default IsDeleteEntry=true and delete other rows
 * of the order, so the translation is explicit and isDeleteEntry is pinned to false.
 */
function writerSaveOptions(rt: Runtime): WriterSaveOptions {
  const o = buildSaveOptions(rt.mapping);
  return {
    isDeleteEntry: false,
    isAutoSubmitAndAudit: o.IsAutoSubmitAndAudit,
    isVerifyBaseDataField: o.IsVerifyBaseDataField,
  };
}
