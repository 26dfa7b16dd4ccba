import { createSharedLimiter, type ReadinessCheck, type StageOutcome } from '@receipt-sync/core';
import type { Worker } from 'bullmq';
import { buildSaveOptions, fieldKinds, needsEnrichment } from '@receipt-sync/mapping';
import { checkMappedKeys, K3CloudAttention, MetadataGate, type MetadataReport } from '../preflight';
import { createBatchWriter, RowBatcher, writeRow, type RowLocator, type WriterSaveOptions } from '../writer';
import { claimReadyShards, readyShardsCheck, receiptVersionKey, type ReadyRow } from '../queues';
import { parseChinaTime } from '@receipt-sync/core';
import { transformReceipt } from '../transformer';
import { runWindow, type WindowRun } from '../producer';
import type { HealStep } from './redis-healer';
import type { Runtime } from './runtime';
import { closeWorkers, countOutcome, startWorker } from './stage-worker';
import { startWriterWorkers, type WriterWorkers } from './writer-workers';
import { OrderLocks, waitForWindowLock, withWindowLock } from '../locks';
import { PUSH_WINDOW_ID, processPushEvent } from '../push/push-events';

/**
 * Batches per K3Cloud slot, across all writers: two, so one batch reads its ledger entries and locks
 * its orders while another's call holds the slot (one per slot left K3Cloud idle during that Redis
 * work: 18 % fewer rows/s at zero latency), yet a batch waits behind at most one other per call, so
 * order locks are held about two round trips, not the whole queue's (npm run bench, writers).
 */
const BATCH_SLOTS_PER_K3CLOUD_SLOT = 2;

/** Receipt fetches in flight per push worker; OKKI pacing (XIAOMAN_MAX_RPS) bounds them anyway. */
const PUSH_CONCURRENCY = 8;

export interface RunningStage {
  /** The stage's BullMQ workers (the writer runs several on `ready`; see startWriterStage). */
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
  opts: { deferAdvance?: boolean; waitForLock?: boolean } = {},
): Promise<WindowRun | undefined> {
  const okki = rt.okki;
  if (!okki) throw new Error('the producer needs an OKKI client');
  const lock = opts.waitForLock ? waitForWindowLock : withWindowLock;
  return lock(rt.connection, rt.config.queuePrefix, async () => {
    rt.metrics.windowInFlight.set(1);
    try {
      return await runWindow(
        {
          store: rt.store,
          queues: rt.queues,
          tracker: rt.tracker,
          source: okki,
          logger: rt.logger,
          settings: { ...rt.config.sync, pageSize: rt.config.okki!.pageSize },
          onFetched: (n, removed) => rt.metrics.receiptsFetched.inc({ removed: String(removed) }, n),
          // With push configured, a version polling sees first is a push that never came (the sweeper's catch).
          onVersionsSeen: rt.config.webhook.secret
            ? async (keys) => {
                const first = await rt.push.recordFirstSeen(keys, 'poll');
                if (first > 0) rt.metrics.receiptsFirstSeen.inc({ source: 'poll' }, first);
              }
            : undefined,
          memory: rt.checkpointMemory,
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
  return { workers: [worker], close: () => closeWorkers(rt, [worker]), heal: [schedule] };
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
  const shardsCheck = await claimShards(rt);
  const worker = startWorker(
    rt,
    'raw',
    (job, token) => transformReceipt(job, token, deps),
    rt.config.workers.transformerConcurrency,
  );
  return {
    workers: [worker],
    close: () => closeWorkers(rt, [worker]),
    checks: { 'ready-shards': shardsCheck },
  };
}

/** READY_SHARDS agreed with the deployment (refuses to start otherwise), and the readiness check that keeps watching it. */
async function claimShards(rt: Runtime): Promise<ReadinessCheck> {
  const { connection, queues, logger } = rt;
  await claimReadyShards(connection, rt.config.queuePrefix, queues, logger);
  return readyShardsCheck(connection, rt.config.queuePrefix, queues.readyShards.queues.length);
}

/** The writer; `preflight`: a metadata check the caller just ran (else the stage runs its own). */
export async function startWriterStage(
  rt: Runtime,
  opts: { preflight?: MetadataReport } = {},
): Promise<RunningStage & { batcher: RowBatcher; gate: MetadataGate }> {
  const k3 = rt.k3;
  const k3Config = rt.config.k3cloud;
  if (!k3 || !k3Config) throw new Error('the writer needs a K3Cloud client');
  const attention = new K3CloudAttention(rt.connection, rt.config.queuePrefix);
  // Nothing is written while the mapping does not fit the tenant's metadata (docs/apis/k3cloud.md §7).
  const gate = new MetadataGate({
    check: () => checkMappedKeys(k3, rt.mapping),
    attention,
    logger: rt.logger,
    recheckMs: k3Config.preflightRecheckMs,
  });
  await gate.start(opts.preflight);
  const shardsCheck = await claimShards(rt);
  // Order locks live as long as a job lock: a killed writer blocks its orders no longer than its jobs.
  const startedAt = Date.now();
  const locks = new OrderLocks(rt.connection, rt.config.queuePrefix, rt.config.workers.lockMs);
  // Read from the shards this writer works, once its workers run (unknown until then).
  const source: { writers?: WriterWorkers } = {};
  const backlog = watchBacklog(() => source.writers?.backlog() ?? Promise.reject(new Error('not started')));
  // At most BATCH_SLOTS_PER_K3CLOUD_SLOT × KINGDEE_MAX_CONCURRENCY batches across every writer are
  // between their order locks and their last K3Cloud call; a slot a crashed writer held frees after
  // one call's deadline.
  const batchSlots = createSharedLimiter({
    id: `${rt.config.queuePrefix}-k3cloud-batches`,
    maxConcurrent: BATCH_SLOTS_PER_K3CLOUD_SLOT * k3Config.maxConcurrency,
    redis: rt.connection,
    slotExpiryMs: k3Config.timeoutMs + 5_000,
  });
  // The batcher and its writer refer to each other: the writer requeues rows into the batcher.
  const batcher: RowBatcher = new RowBatcher({
    batchSize: k3Config.batchSize,
    lingerMs: rt.config.workers.writerLingerMs,
    maxInFlight: k3Config.maxConcurrency,
    // Full batches may wait for a K3Cloud slot beside those: one that frees while a batch settles in
    // Redis goes straight to the next (the client's limiter keeps K3Cloud at its slots, across replicas).
    extraFullBatches: k3Config.maxConcurrency,
    backlog: () => backlog.value,
    admit: () => batchSlots.acquire(),
    write: (rows, more, k3Done) => write(rows, more, k3Done),
  });
  const write = createBatchWriter({
    k3,
    ledger: rt.store.ledger,
    locks,
    orderIndex: rt.store.orders,
    logger: rt.logger,
    locator: writerLocator(rt),
    saveOptions: writerSaveOptions(rt),
    fieldKinds: fieldKinds(rt.mapping),
    lockedOrderPolicy: k3Config.lockedOrderPolicy,
    requeue: (p, afterMs) => batcher.requeue(p, afterMs),
    onNotApplied: (cause, n) => rt.metrics.writesNotApplied.inc({ cause }, n),
    onOrderLeftUnaudited: (order) => attention.markUnaudited(order),
    onOrderAudited: (fid) => attention.clearUnaudited(fid),
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
    onWritten: (row: ReadyRow, confirmedAt: Date) => recordFreshness(rt, row, confirmedAt, startedAt),
  };
  const writers = await startWriterWorkers(rt, (job, token) => writeRow(job, token, deps));
  source.writers = writers;
  return {
    get workers() {
      return writers.workers;
    },
    batcher,
    gate,
    checks: { 'k3cloud-metadata': gate.readiness(), 'ready-shards': shardsCheck },
    async close() {
      gate.stop();
      backlog.stop();
      await writers.close();
      batcher.close();
      await batchSlots.close();
    },
  };
}

/**
 * receipt_freshness_seconds: K3Cloud-confirmed write time − the receipt's OKKI update_time. Only
 * versions saved while this writer runs count: a first load or a catch-up of older versions is
 * backlog, not freshness (checkpoint lag shows it), and would swamp the figure.
 */
async function recordFreshness(rt: Runtime, row: ReadyRow, confirmedAt: Date, since: number): Promise<void> {
  const updated = parseChinaTime(row.sourceVersion);
  // update_time has whole seconds: a version saved in the writer's first second still counts.
  if (!updated || updated.getTime() < since - 1000) return;
  const seconds = Math.max(0, (confirmedAt.getTime() - updated.getTime()) / 1000);
  const source = row.windowId === PUSH_WINDOW_ID ? 'push' : 'window';
  rt.metrics.receiptFreshness.observe({ source }, seconds);
  await rt.push.recordFreshness({
    atMs: confirmedAt.getTime(),
    seconds,
    source,
    versionKey: receiptVersionKey(row.receiptId, row.sourceVersion, row.removed),
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
  };
}

/** Rows still coming to this writer (see WriterWorkers.backlog), polled for the batcher (undefined until known). */
function watchBacklog(read: () => Promise<number>, everyMs = 200): { value: number | undefined; stop(): void } {
  const state = { value: undefined as number | undefined, stop: () => clearInterval(timer) };
  const timer = setInterval(() => {
    read().then(
      (n) => (state.value = n),
      () => (state.value = undefined),
    );
  }, everyMs);
  timer.unref();
  return state;
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
