import { randomUUID } from 'node:crypto';
import { describeError, type RedisClient } from '@receipt-sync/core';
import type { Runtime, RunningStage } from '../runtime';
import { rehearsalWindow } from './rehearsal-window';
import { mappingLabels } from './report-text';
import { rehearse, totalsOf, type RehearsalReport, type RehearsalTotals, type RehearsalWindow } from './run-rehearsal';
import { rehearsalDeps } from './runtime-deps';

/** A rehearsal an operator asked for on the dashboard, and where it stands. */
export interface RehearsalRequest {
  id: string;
  state: 'waiting' | 'active' | 'done' | 'failed';
  /** As asked: either end missing means the next sync's. */
  asked: { from?: string; to?: string };
  requestedBy?: string;
  requestedAt: string;
  startedAt?: string;
  /** Renewed while it runs; a request whose runner stopped renewing is over. */
  heartbeatAt?: string;
  finishedAt?: string;
  window?: RehearsalWindow;
  totals?: RehearsalTotals;
  error?: string;
}

/** The report with the mapping's labels of the K3Cloud fields, so the dashboard renders it without the mapping. */
export interface StoredRehearsal {
  report: RehearsalReport;
  labels: Record<string, string>;
}

/** A running rehearsal that has not renewed its heartbeat for this long is taken for lost. */
export const REHEARSAL_STALE_MS = 60_000;
/** How long a finished rehearsal's report is kept. */
const REPORT_TTL_SECONDS = 7 * 24 * 3600;

/**
 * One rehearsal at a time per deployment, asked for on the dashboard and run where the OKKI and
 * K3Cloud clients live (the active writer's process, like reconcile requests): its state and its
 * last report in Redis under QUEUE_PREFIX (no queue job, nothing in the ledger).
 */
export class RehearsalRequests {
  private readonly stateKey: string;
  private readonly reportKey: string;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
  ) {
    this.stateKey = `${prefix}:rehearsal:request`;
    this.reportKey = `${prefix}:rehearsal:report`;
  }

  async current(): Promise<RehearsalRequest | undefined> {
    return (await this.read()).request;
  }

  /** The stored request as stored (for the compare-and-set) and as it stands (a silent runner means it failed). */
  private async read(): Promise<{ raw: string | null; request?: RehearsalRequest }> {
    const raw = await this.redis.get(this.stateKey);
    if (!raw) return { raw };
    const r = JSON.parse(raw) as RehearsalRequest;
    const beat = Date.parse(r.heartbeatAt ?? r.startedAt ?? r.requestedAt);
    if (r.state === 'active' && Date.now() - beat > REHEARSAL_STALE_MS)
      return { raw, request: { ...r, state: 'failed', error: 'the process running it stopped; ask again' } };
    return { raw, request: r };
  }

  /** Asks for a rehearsal; refused while one is waiting or running. */
  async ask(
    asked: { from?: string; to?: string },
    operator?: string,
  ): Promise<{ kind: 'asked' | 'running'; request: RehearsalRequest }> {
    const request: RehearsalRequest = {
      id: randomUUID(),
      state: 'waiting',
      asked,
      ...(operator ? { requestedBy: operator } : {}),
      requestedAt: new Date().toISOString(),
    };
    const result = await this.swap((now) => (now && busy(now) ? undefined : request));
    return result.swapped ? { kind: 'asked', request } : { kind: 'running', request: result.now! };
  }

  /** Takes the waiting request, if any, for this process to run. */
  async claim(): Promise<RehearsalRequest | undefined> {
    const at = new Date().toISOString();
    const result = await this.swap((now) =>
      now?.state === 'waiting' ? { ...now, state: 'active', startedAt: at, heartbeatAt: at } : undefined,
    );
    return result.swapped ? result.next : undefined;
  }

  async heartbeat(id: string): Promise<void> {
    const at = new Date().toISOString();
    await this.swap((now) => (now?.id === id && now.state === 'active' ? { ...now, heartbeatAt: at } : undefined));
  }

  async finish(id: string, outcome: StoredRehearsal | { error: string }): Promise<void> {
    const finishedAt = new Date().toISOString();
    if ('report' in outcome) await this.redis.set(this.reportKey, JSON.stringify(outcome), 'EX', REPORT_TTL_SECONDS);
    await this.swap((now) =>
      now?.id !== id
        ? undefined
        : 'report' in outcome
          ? { ...now, state: 'done', finishedAt, window: outcome.report.window, totals: outcome.report.totals }
          : { ...now, state: 'failed', finishedAt, error: outcome.error },
    );
  }

  /** The last finished rehearsal's report, while it is kept. */
  async report(): Promise<StoredRehearsal | undefined> {
    const raw = await this.redis.get(this.reportKey);
    return raw ? (JSON.parse(raw) as StoredRehearsal) : undefined;
  }

  /** Compare-and-set of the request: `next` sees the current one and returns the new one, or undefined for no change. */
  private async swap(
    next: (now: RehearsalRequest | undefined) => RehearsalRequest | undefined,
  ): Promise<{ swapped: boolean; now?: RehearsalRequest; next?: RehearsalRequest }> {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const { raw, request: now } = await this.read();
      const value = next(now);
      if (!value) return { swapped: false, now };
      const set = await this.redis.eval(CAS, 1, this.stateKey, raw ?? '', JSON.stringify(value), REPORT_TTL_SECONDS);
      if (set === 1) return { swapped: true, now, next: value };
    }
    return { swapped: false, now: await this.current() };
  }
}

/** SET key to ARGV[2] (EX ARGV[3]) only while it still holds ARGV[1] ('' = absent). */
const CAS = `local v = redis.call('get', KEYS[1])
if (v == false and ARGV[1] == '') or v == ARGV[1] then
  redis.call('set', KEYS[1], ARGV[2], 'EX', ARGV[3])
  return 1
end
return 0`;

const busy = (r: RehearsalRequest) => r.state === 'waiting' || r.state === 'active';

/**
 * Runs the dashboard's rehearsal requests in a process with both API clients (the active writer's,
 * so its K3Cloud reads share the writer's KINGDEE_MAX_CONCURRENCY, and OKKI's pacer is the sync's):
 * looks for a waiting request every `pollMs`.
 */
export function startRehearsalRequests(rt: Runtime, pollMs = 2_000): RunningStage {
  const { okki, k3 } = rt;
  if (!okki || !k3) throw new Error('rehearsal requests need both an OKKI and a K3Cloud client');
  const requests = new RehearsalRequests(rt.connection, rt.config.queuePrefix);
  let running: Promise<void> | undefined;
  let closed = false;
  const runOne = async (request: RehearsalRequest) => {
    const beat = setInterval(() => void requests.heartbeat(request.id).catch(() => undefined), REHEARSAL_STALE_MS / 4);
    beat.unref();
    try {
      rt.logger.info(
        { requestId: request.id, asked: request.asked, operator: request.requestedBy },
        'rehearsal started',
      );
      const window = await rehearsalWindow(rt.store.checkpoints, rt.config.sync, request.asked);
      const report = window
        ? await rehearse(rehearsalDeps({ ...rt, okki, k3 }), window)
        : emptyReport(rt.config.sync.startTime ?? '');
      const labels = mappingLabels(rt.mapping);
      await requests.finish(request.id, { report, labels });
      rt.logger.info({ requestId: request.id, totals: report.totals }, 'rehearsal finished');
    } catch (error) {
      rt.logger.warn({ err: error, requestId: request.id }, 'rehearsal failed');
      await requests.finish(request.id, { error: describeError(error) }).catch(() => undefined);
    } finally {
      clearInterval(beat);
    }
  };
  const timer = setInterval(() => {
    if (running || closed) return;
    running = requests
      .claim()
      .then((request) => (request ? runOne(request) : undefined))
      .catch((error: unknown) => rt.logger.warn({ err: error }, 'rehearsal requests: Redis read failed'))
      .finally(() => {
        running = undefined;
      });
  }, pollMs);
  timer.unref();
  return {
    workers: [],
    async close() {
      closed = true;
      clearInterval(timer);
      await running;
    },
  };
}

/** The next window is empty (the checkpoint is at now − lag): a report of nothing. */
export function emptyReport(edge: string): RehearsalReport {
  const now = new Date().toISOString();
  return { window: { start: edge, end: edge }, startedAt: now, finishedAt: now, rows: [], totals: totalsOf([]) };
}
