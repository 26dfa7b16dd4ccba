import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { loadConfig, type Config } from '@receipt-sync/core';
import { createLogger, isSyncError, type Logger } from '@receipt-sync/core';
import {
  createRuntime,
  openWindow,
  startTransformerStage,
  startWriterStage,
  waitUntilDrained,
  type RunningStage,
  type Runtime,
} from './runtime';
import { waitForWindowLock } from './locks';
import { RECEIPT_STREAM, nextWindow } from './producer';
import { checkMappedKeys, K3CloudAttention, metadataError, type MetadataReport } from './preflight';
import { parseVersionKey, redriveUnsettled, type VersionRef } from './stuck';

export interface SyncOnceSummary {
  fetched: number;
  written: number;
  unchanged: number;
  quarantined: number;
  deadLettered: number;
  windowStart: string;
  windowEnd: string;
}

/**
 * `sync:once` waits for every job of its window, so a missing sales order cannot hold it for the
 * hours the long-running schedule allows: unless ORDER_WAIT_DELAYS is set, it waits 5 s, 15 s and
 * 30 s, then dead-letters (replayable once the order exists).
 */
export const SYNC_ONCE_ORDER_WAITS_MS = [5_000, 15_000, 30_000];

/** Times `sync:once` re-drives versions whose jobs vanished before it gives up on them. */
export const SYNC_ONCE_REDRIVE_ROUNDS = 3;

/**
 * Once the queues are drained, a version of the window with no outcome lost its job (Redis failover
 * or flush): each is fetched from OKKI again and re-queued, and the queues drained again, up to
 * SYNC_ONCE_REDRIVE_ROUNDS times. Resolves true when every version has an outcome.
 */
async function redriveLostJobs(
  rt: Runtime,
  windowId: string,
  logger: Logger,
  drain: () => Promise<void>,
): Promise<boolean> {
  for (let round = 1; round <= SYNC_ONCE_REDRIVE_ROUNDS; round += 1) {
    const versions = (await rt.tracker.unsettled(windowId))
      .map(parseVersionKey)
      .filter((v): v is VersionRef => v !== undefined);
    if (versions.length === 0) return true;
    const deps = { queues: rt.queues, tracker: rt.tracker, ledger: rt.store.ledger, okki: rt.okki!, logger };
    const stuck = await redriveUnsettled(deps, versions);
    if (stuck.length === 0) return true;
    logger.error(
      { lost: stuck.length, redriven: stuck.filter((s) => s.result === 'redriven').length, round },
      'receipts of this window lost their jobs (Redis failover or flush?); fetched from OKKI again and re-queued',
    );
    await drain();
  }
  return (await rt.tracker.unsettled(windowId)).length === 0;
}

/**
 * Refused K3Cloud credentials stop the cycle before a window opens (nothing fetched, checkpoint
 * unchanged). Any other failure here is left to the jobs, which retry it as they always do.
 */
async function loginFirst(rt: Runtime, logger: Logger): Promise<void> {
  try {
    await rt.k3?.ensureSession();
  } catch (error) {
    if (isSyncError(error) && error.disposition === 'misconfigured') throw error;
    logger.warn({ err: error }, 'k3cloud login before the cycle failed; the jobs will retry it');
  }
}

/**
 * One whole cycle in this process (docs/operations.md#commands): open `[checkpoint − lookback, now − lag]`,
 * fetch active and removed receipts, transform and write them, wait until every job is finished —
 * including jobs a killed earlier run left behind — re-queue the receipts whose jobs Redis lost
 * (redriveLostJobs), then advance the checkpoint. Logs go to stderr; the caller prints the summary as
 * the last line of stdout.
 */
export async function syncOnce(env: NodeJS.ProcessEnv = process.env): Promise<SyncOnceSummary> {
  const loaded = loadConfig(env);
  const config: Config = env.ORDER_WAIT_DELAYS
    ? loaded
    : { ...loaded, workers: { ...loaded.workers, orderWaitDelaysMs: SYNC_ONCE_ORDER_WAITS_MS } };
  const logger = createLogger({
    name: 'sync-once',
    level: config.logLevel,
    pretty: false,
    destination: pino.destination({ fd: 2, sync: true }),
  });
  const rt = await createRuntime(config, { name: 'sync-once', needsOkki: true, needsK3: true, logger });
  // Refused credentials, then a mapped key the tenant lacks (docs/operations.md#commands), stop the
  // cycle before anything is written or dead-lettered; the checkpoint stays where it is. Reading is
  // harmless, so the window is paged and transformed while the login and the metadata preflight
  // run; only the writer waits for them.
  const preflight = runPreflight(rt, logger);
  preflight.catch(() => undefined); // handled where it is awaited; this only marks it handled early
  let transformer: RunningStage | undefined;
  let writer: RunningStage | undefined;
  try {
    transformer = await startTransformerStage(rt);
    return await waitForWindowLock(rt.connection, `${config.queuePrefix}-sync-once`, async () => {
      const paging = new AbortController();
      const opened = openWindow(rt, 'sync-once', { deferAdvance: true, waitForLock: true, signal: paging.signal });
      // A stopped window fails without moving the checkpoint; the cycle ends with the preflight's error.
      const stop = async (error: unknown): Promise<never> => {
        paging.abort(error);
        await opened.catch(() => undefined);
        throw error;
      };
      const report = await preflight.catch(stop);
      if (!report.ok) {
        await new K3CloudAttention(rt.connection, config.queuePrefix).setMetadata(report).catch(() => undefined);
        await stop(metadataError(report));
      }
      writer = await startWriterStage(rt, { preflight: report });
      const run = await opened;
      // Refused credentials halt every job (they wait, unspent); nothing can finish, so the cycle
      // stops here: exit 1 naming the variables, checkpoint unchanged, nothing dead-lettered.
      const drain = () =>
        waitUntilDrained(rt.queues, {
          onProgress: (left) => left > 0 && logger.debug({ left }, 'waiting for jobs'),
          stop: () => rt.k3?.loginRefused(),
        });
      await drain();
      if (!run) {
        const cp = await rt.store.checkpoints.get(RECEIPT_STREAM);
        const bounds = nextWindow(cp?.windowEnd, new Date(), config.sync);
        const edge = cp?.windowEnd ?? config.sync.startTime ?? '';
        return {
          fetched: 0,
          written: 0,
          unchanged: 0,
          quarantined: 0,
          deadLettered: 0,
          windowStart: bounds?.start ?? edge,
          windowEnd: bounds?.end ?? edge,
        };
      }
      const complete = await redriveLostJobs(rt, run.windowId, logger, drain);
      const summary = await rt.tracker.summarize(run.windowId);
      // A version still without an outcome must be read again by the next cycle: the checkpoint stays.
      if (!complete)
        logger.error(
          { pending: summary.pending },
          'receipts of this window never got an outcome, even re-driven; the checkpoint stays so the next cycle reads them again',
        );
      const advanced =
        complete && (await rt.store.checkpoints.advance(RECEIPT_STREAM, run.windowEnd, run.previousCheckpoint));
      await rt.store.windows.update(run.windowId, {
        status: complete ? 'completed' : 'failed',
        ...(complete ? {} : { error: `${summary.pending} receipt(s) got no outcome, even re-driven` }),
        finishedAt: new Date(),
        counts: {
          written: summary.written,
          unchanged: summary.unchanged,
          quarantined: summary.quarantined,
          deadLettered: summary.deadLettered,
        },
      });
      if (complete && !advanced)
        logger.warn('the checkpoint moved while this cycle ran; left as the other process set it');
      return {
        fetched: summary.fetched,
        written: summary.written,
        unchanged: summary.unchanged,
        quarantined: summary.quarantined,
        deadLettered: summary.deadLettered,
        windowStart: run.windowStart,
        windowEnd: run.windowEnd,
      };
    });
  } finally {
    await Promise.allSettled([transformer?.close(), writer?.close()]);
    await rt.close();
  }
}

/** K3Cloud login, the OKKI token and the metadata preflight, side by side. */
async function runPreflight(rt: Runtime, logger: Logger): Promise<MetadataReport> {
  // The OKKI token is asked for meanwhile (the window's first page needs it); a refusal shows there.
  const okkiToken = rt.okki!.verifyToken().catch(() => undefined);
  await loginFirst(rt, logger);
  const report = await checkWithRetries(rt, logger);
  await okkiToken;
  return report;
}

const PREFLIGHT_ATTEMPTS = 4;

/**
 * The metadata check, asked again after a transient failure (a session lost twice in a row, a 5xx,
 * a timeout) as a job would be: one unlucky call must not end the cycle. A lasting failure still
 * stops it before anything is written.
 */
async function checkWithRetries(rt: Runtime, logger: Logger): Promise<MetadataReport> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await checkMappedKeys(rt.k3!, rt.mapping);
    } catch (error) {
      if (attempt >= PREFLIGHT_ATTEMPTS || !isSyncError(error) || error.disposition !== 'transient') throw error;
      logger.warn({ err: error, attempt }, 'k3cloud metadata preflight failed; asking again');
      await sleep(500 * 2 ** (attempt - 1));
    }
  }
}
