import { randomUUID } from 'node:crypto';
import { formatChinaTime } from '@receipt-sync/core';
import { closeQueues, createQueues, createRedisConnection, syncOnce } from '@receipt-sync/pipeline';
import {
  createRng,
  generateDataset,
  mutateReceipt,
  startDemoEnvironment,
  type DemoEnvironment,
  type OkkiOrderInfo,
  type OkkiReceiptRecord,
  type SalesOrderBill,
} from '@receipt-sync/simulators';
import { cleanPrefix, redisUrl } from '../e2e/helpers';
import { DEFAULT_MAPPING } from '@receipt-sync/mapping';
import { createStore } from '@receipt-sync/store';
import {
  checkFinalState,
  expectationCounts,
  expectationFor,
  foreignRowsOf,
  type K3Bill,
  type OkkiReceipt,
  type OracleInput,
  type Violation,
} from './oracle';
import { FILTERED_REMARK, type OkkiAction, type Step, type Timeline } from './timeline';

/**
 * Runs one timeline against the real simulators and the real pipeline (`syncOnce` in this process,
 * its own QUEUE_PREFIX), then applies the oracle to the final state.
 *
 * Clocks: OKKI stamps each step from the timeline's own clock, which starts ten minutes behind the
 * wall clock and moves one second per step (none for a same-second edit or a removal
 * without a new stamp). Windows end at the wall clock (SYNC_SAFETY_LAG_SECONDS 0) and reach back
 * four hours (SYNC_LOOKBACK_SECONDS), so every window covers every stamp of the timeline: what the
 * test exercises is the order of versions, not the window arithmetic.
 */

/**
 * How long one `sync:once` may take before the timeline counts it as hung (it must finish: the
 * contract's command ends once every job is written, skipped, quarantined or dead-lettered). A hung
 * cycle cannot be cancelled; it is left to fail against the closed simulators.
 */
const SYNC_DEADLINE_MS = Number(process.env.MODEL_SYNC_DEADLINE_SECONDS ?? 20) * 1000;

/** A sync cycle that did not finish in time, with what was left in its queues. */
export class SyncHung extends Error {}

async function unfinishedJobs(prefix: string): Promise<string> {
  const connection = createRedisConnection(redisUrl);
  const queues = createQueues(connection, prefix);
  try {
    const parts: string[] = [];
    for (const [name, queue] of Object.entries(queues)) {
      const counts = await queue.getJobCounts('wait', 'active', 'delayed', 'prioritized', 'failed');
      const busy = Object.entries(counts).filter(([, n]) => n > 0);
      if (busy.length > 0) parts.push(`${name} ${busy.map(([k, n]) => `${k}=${n}`).join(' ')}`);
    }
    return parts.join('; ') || 'no jobs left';
  } finally {
    await closeQueues(queues);
    await connection.quit();
  }
}

async function syncWithDeadline(env: NodeJS.ProcessEnv): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const startedAt = Date.now();
  const cycle = syncOnce(env);
  const deadline = new Promise<'hung'>((resolve) => {
    timer = setTimeout(() => resolve('hung'), SYNC_DEADLINE_MS);
  });
  try {
    if ((await Promise.race([cycle, deadline])) === 'hung') {
      cycle.catch(() => undefined);
      const left = await unfinishedJobs(env.QUEUE_PREFIX!);
      throw new SyncHung(`sync:once did not finish within ${SYNC_DEADLINE_MS / 1000} s (${left})`);
    }
    if (process.env.MODEL_VERBOSE) process.stderr.write(`sync:once took ${Date.now() - startedAt} ms\n`);
  } finally {
    clearTimeout(timer);
  }
}

/** Words of K3Cloud's request-filter answer (请求参数存在可疑数据…拦截规则…) that the held-back reason must carry. */
const FILTER_MESSAGE = /拦截规则/;

/**
 * The part of "only that receipt is held back, with that message as its reason" that the K3Cloud
 * state cannot show: the receipt's ledger entry names K3Cloud's message.
 */
async function heldBackReasons(final: OracleInput, prefix: string): Promise<Violation[]> {
  const orderKeys = new Set(final.bills.map((b) => String(b.F_Cash_Collection_Id)));
  const held = final.receipts.filter((r) => expectationFor(r, orderKeys, DEFAULT_MAPPING).kind === 'held-back');
  if (held.length === 0) return [];
  const connection = createRedisConnection(redisUrl);
  const store = createStore({ redis: connection, prefix });
  try {
    const out: Violation[] = [];
    for (const r of held) {
      const entry = await store.ledger.get(String(r.cash_collection_id));
      const reason = entry?.lastError?.message ?? '';
      if (entry?.status !== 'dead-lettered' || !FILTER_MESSAGE.test(reason))
        out.push({
          receiptNo: r.cash_collection_no,
          outcome: "held back by the request filter → with K3Cloud's message as its reason",
          detail: `ledger status ${entry?.status ?? 'none'}, reason ${JSON.stringify(reason)}`,
        });
    }
    return out;
  } finally {
    await store.close();
    await connection.quit();
  }
}

/** The K3Cloud client's deadline: a held late save outlives it. */
const K3_TIMEOUT_MS = 800;

export interface TimelineResult {
  violations: Violation[];
  /** Per step: why it was skipped, or what it did when that is worth reading. */
  notes: string[];
  /** Receipts of the final state per expectation (active on its order, on none, held back, unconstrained). */
  checked: ReturnType<typeof expectationCounts>;
}

function envFor(demo: DemoEnvironment, prefix: string, baseMs: number): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...demo.env,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: process.env.MODEL_LOG_LEVEL ?? 'silent',
    SYNC_START_TIME: formatChinaTime(new Date(baseMs - 3 * 3_600_000)),
    SYNC_LOOKBACK_SECONDS: String(4 * 3600),
    SYNC_SAFETY_LAG_SECONDS: '0',
    KINGDEE_TIMEOUT_MS: String(K3_TIMEOUT_MS),
    // A save whose answer never came may land this long after: longer than any late save here takes.
    KINGDEE_LATE_WRITE_SECONDS: '3',
    KINGDEE_BATCH_SIZE: '20',
    XIAOMAN_MAX_RPS: '200',
    ORDER_WAIT_DELAYS: '1,1',
    WORKER_LOCK_MS: '5000',
    WRITER_LINGER_MS: '10',
    RETRY_BASE_DELAY_MS: '50',
    RETRY_MAX_DELAY_MS: '400',
  };
}

function orderInfoOf(bill: SalesOrderBill, receipts: OkkiReceiptRecord[]): OkkiOrderInfo {
  const orderId = Number(bill.F_Cash_Collection_Id);
  const sibling = receipts.find((r) => r.order_id === orderId && !Array.isArray(r.order_info));
  if (sibling) return structuredClone(sibling.order_info as OkkiOrderInfo);
  return {
    order_id: orderId,
    order_no: bill.FBillNo,
    name: bill.FBillNo,
    currency: 'USD',
    exchange_rate: '710.00000',
    exchange_rate_usd: '100.00000',
    amount: '10000.00',
    service_fee_currency: 'USD',
    service_fee_amount: '0.00',
    service_fee_amount_rmb: '0.00',
    service_fee_amount_usd: '0.00',
  };
}

class TimelineRun {
  private clockMs: number;
  readonly notes: string[] = [];
  readonly history = new Map<string, OkkiReceipt[]>();

  constructor(
    private readonly demo: DemoEnvironment,
    private readonly all: OkkiReceiptRecord[],
    private readonly orders: SalesOrderBill[],
    private readonly env: NodeJS.ProcessEnv,
    private readonly prefix: string,
    baseMs: number,
  ) {
    this.clockMs = baseMs;
    for (const r of demo.okki.allReceipts({ removed: false })) this.remember(r.cash_collection_id);
  }

  private stamp(): { updateTime: Date } {
    this.clockMs += 1000;
    return { updateTime: new Date(this.clockMs) };
  }

  private remember(id: number): void {
    const r = this.demo.okki.getReceipt(id);
    if (!r || r.removed) return;
    const list = this.history.get(r.cash_collection_no) ?? [];
    list.push(r as unknown as OkkiReceipt);
    this.history.set(r.cash_collection_no, list);
  }

  private receiptAt(index: number): OkkiReceiptRecord {
    return this.all[index % this.all.length]!;
  }

  /** The receipt's state in OKKI: absent (not created yet), active or deleted. */
  private state(index: number): 'absent' | 'active' | 'deleted' {
    const r = this.demo.okki.getReceipt(this.receiptAt(index).cash_collection_id);
    return !r ? 'absent' : r.removed ? 'deleted' : 'active';
  }

  private edit(index: number, seed: number, sameSecond: boolean): void {
    const id = this.receiptAt(index).cash_collection_id;
    const next = mutateReceipt(this.demo.okki.getReceipt(id)!, createRng(seed));
    const { removed: _removed, ...record } = next;
    this.demo.okki.upsertReceipt(record, sameSecond ? { keepUpdateTime: true } : this.stamp());
    this.remember(id);
  }

  /** Applies one OKKI action; returns a note (why it was skipped, or where it went). */
  private act(action: OkkiAction): string | undefined {
    const { okki } = this.demo;
    const state = this.state(action.r);
    const needs = action.kind === 'create' ? 'absent' : action.kind === 'restore' ? 'deleted' : 'active';
    if (state !== needs) return `skipped: receipt is ${state}`;
    const id = this.receiptAt(action.r).cash_collection_id;
    switch (action.kind) {
      case 'create': {
        const { removed: _removed, ...record } = this.receiptAt(action.r);
        okki.upsertReceipt(record, this.stamp());
        break;
      }
      case 'edit':
      case 'same-second-edit':
        this.edit(action.r, action.seed, action.kind === 'same-second-edit');
        break;
      case 'filtered-remark':
        okki.editReceipt(id, { comment: FILTERED_REMARK }, this.stamp());
        break;
      case 'relink': {
        const bill = this.orders[action.o % this.orders.length]!;
        const orderInfo = orderInfoOf(bill, this.all);
        okki.relinkReceipt(id, orderInfo.order_id, { orderInfo, ...this.stamp() });
        this.remember(id);
        return `to order ${orderInfo.order_id} (FID ${bill.FID})`;
      }
      case 'unlink':
        okki.relinkReceipt(id, 0, this.stamp());
        break;
      case 'delete':
        okki.removeReceipt(id, action.newStamp ? this.stamp() : { keepUpdateTime: true });
        break;
      case 'restore':
        okki.restoreReceipt(id, this.stamp());
        break;
    }
    this.remember(id);
    return undefined;
  }

  /** Applies one step; returns a note (why it was skipped, or what it did). */
  async apply(step: Step): Promise<string | undefined> {
    const { okki, k3 } = this.demo;
    switch (step.kind) {
      case 'okki-info-fails': {
        const state = this.state(step.r);
        if (state !== 'active') return `skipped: receipt is ${state}`;
        okki.failReceiptInfo(this.receiptAt(step.r).cash_collection_id, {
          calls: step.calls,
          answer: step.calls % 2 ? { httpStatus: 503 } : { code: 500 },
        });
        return undefined;
      }
      case 'k3-late-save':
        k3.failNext('lateSave');
        return undefined;
      case 'k3-ambiguous-save':
        k3.failNext('ambiguous');
        return undefined;
      case 'redis-lost':
        await cleanPrefix(this.prefix);
        return undefined;
      case 'sync':
        await syncWithDeadline(this.env);
        return undefined;
      case 'sync-while':
        return this.syncWhile(step.action);
      default:
        return this.act(step);
    }
  }

  /** A sync cycle during which a person changes a receipt: the change lands once the cycle has listed OKKI. */
  private async syncWhile(action: OkkiAction): Promise<string | undefined> {
    const listedBefore = this.listCalls();
    const cycle = syncWithDeadline(this.env);
    cycle.catch(() => undefined); // awaited below; a hung cycle must not count as unhandled meanwhile
    const deadline = Date.now() + 10_000;
    while (this.listCalls() === listedBefore && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    const note = this.act(action);
    await cycle;
    return note;
  }

  private listCalls(): number {
    return this.demo.okki.stats.log.filter((e) => e.endpoint === 'receipt.list').length;
  }

  /** The last cycle, then every late save lands, then one more cycle: the state the oracle judges. */
  async finish(): Promise<void> {
    await syncWithDeadline(this.env);
    this.demo.okki.resetFaults();
    await this.demo.k3.releaseLateSaves();
    await this.demo.k3.lateSavesSettled();
    await syncWithDeadline(this.env);
  }
}

export async function runTimeline(t: Timeline): Promise<TimelineResult> {
  const baseMs = Math.floor((Date.now() - 600_000) / 1000) * 1000;
  const dataset = generateDataset({
    seed: t.datasetSeed,
    receipts: t.receipts + t.pool,
    orders: t.orders,
    startTime: new Date(baseMs - 2 * 3_600_000),
    spanSeconds: 3600,
    existingRowRate: 0.5,
    noOrderRate: 0.1,
    missingOrderRate: 0,
  });
  const demo = await startDemoEnvironment({
    seed: t.datasetSeed,
    dataset: { receipts: dataset.receipts.slice(0, t.receipts), orders: dataset.orders },
    k3Faults: { lateSaveAnswer: t.lateSaveAnswer ?? 'hold', lateSaveApplyAfterMs: t.lateSaveApplyAfterMs },
  });
  const prefix = `model-${randomUUID().slice(0, 8)}`;
  try {
    const ours = new Set(dataset.receipts.map((r) => r.cash_collection_no));
    const foreignBefore = foreignRowsOf(demo.k3.allBills('SAL_SaleOrder') as K3Bill[], ours);
    const run = new TimelineRun(demo, dataset.receipts, dataset.orders, envFor(demo, prefix, baseMs), prefix, baseMs);
    try {
      for (const step of t.steps) run.notes.push((await run.apply(step)) ?? '');
      await run.finish();
    } catch (error) {
      if (!(error instanceof SyncHung)) throw error;
      const hung = { receiptNo: '-', outcome: 'sync:once finishes', detail: error.message };
      return {
        violations: [hung],
        notes: run.notes,
        checked: { active: 0, none: 0, 'held-back': 0, unconstrained: 0 },
      };
    }
    const final: OracleInput = {
      receipts: demo.okki.allReceipts() as unknown as OkkiReceipt[],
      bills: demo.k3.allBills('SAL_SaleOrder') as K3Bill[],
      foreignBefore,
      history: run.history,
    };
    const violations = [...checkFinalState(final), ...(await heldBackReasons(final, prefix))];
    return { violations, notes: run.notes, checked: expectationCounts(final) };
  } finally {
    await demo.close();
    await cleanPrefix(prefix);
  }
}
